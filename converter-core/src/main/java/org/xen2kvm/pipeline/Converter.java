package org.xen2kvm.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.config.read.GuestDefinitionReader;
import org.xen2kvm.convert.ConversionContext;
import org.xen2kvm.convert.DeviceMap;
import org.xen2kvm.convert.EditReport;
import org.xen2kvm.convert.GuestEditor;
import org.xen2kvm.disk.write.CopyOptions;
import org.xen2kvm.disk.write.DiskCopier;
import org.xen2kvm.disk.write.OutputFormat;
import org.xen2kvm.disk.write.SourceGuard;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.libvirt.DomainXmlWriter;
import org.xen2kvm.libvirt.register.BootReport;
import org.xen2kvm.libvirt.register.LibvirtRegistrar;
import org.xen2kvm.libvirt.register.RegisteredDomain;
import org.xen2kvm.libvirt.register.Registration;
import org.xen2kvm.plan.BootStrategy;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.plan.ConversionPlanner;
import org.xen2kvm.plan.DeviceModelChoice;
import org.xen2kvm.plan.DiskCopy;
import org.xen2kvm.source.SourceGuest;
import org.xen2kvm.source.SourceNic;
import org.xen2kvm.target.DirectBoot;
import org.xen2kvm.target.TargetDomain;

/**
 * Runs one conversion: read, plan, open disks behind overlays, inspect, edit, copy, write the
 * domain XML, register. On failure every file this run created is removed and libvirt is
 * left as it was; the source is never written in any case.
 */
public final class Converter {
    /** The serial console every converted guest gets. */
    static final String SERIAL_CONSOLE = "ttyS0";
    /** A kernel or initrd larger than this is not a kernel. */
    private static final int MAX_BOOT_FILE = 512 << 20;

    private final ConversionListener listener;
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private final RunOutputs created = new RunOutputs();

    private Converter(ConversionListener listener) {
        this.listener = listener;
    }

    /**
     * Converts a guest.
     *
     * @throws IOException      on an I/O error or a corrupt image
     * @throws Xen2KvmException on bad input or a libvirt failure
     */
    public static ConversionResult run(ConversionRequest request, ConversionListener listener) throws IOException {
        return new Converter(listener).convert(request);
    }

    private ConversionResult convert(ConversionRequest req) throws IOException {
        long t0 = System.nanoTime();
        listener.stage("read", req.definition().toString());
        SourceGuest source = GuestDefinitionReader.read(req.definition(), req.format());
        ConversionPlan plan = ConversionPlanner.plan(source, req.plan());
        lap("read+plan", t0);
        if (!req.dryRun()) {
            // Before any file is opened: a compressed XVA is unpacked into the output directory.
            SourceGuard.check(sourceFiles(req, plan), plannedOutputs(plan, req.plan().outputDir()));
            checkOutputs(plan, req.plan().outputDir(), req.copy().force());
        }
        try {
            if (!req.dryRun()) {
                for (Path p : plannedOutputs(plan, req.plan().outputDir())) {
                    RunOutputs.removeStalePart(p);
                }
                // Made here, not by the XVA unpacking in GuestDisks.open, so a failure removes it.
                created.createDirectories(req.plan().outputDir());
            }
            return convert(req, plan);
        } catch (IOException | RuntimeException e) {
            created.removeAll(e);
            throw e;
        }
    }

    private ConversionResult convert(ConversionRequest req, ConversionPlan plan) throws IOException {
        List<String> warnings = new ArrayList<>();
        if (req.dryRun()) {
            List<String> missing = plan.copies().stream()
                    .filter(c -> c.sourceFormat() != org.xen2kvm.source.DiskFormat.XVA)
                    .map(DiskCopy::sourcePath).filter(p -> !Files.isReadable(Path.of(p))).toList();
            if (!missing.isEmpty()) {
                // A plan from the definition alone is still worth showing.
                warnings.add("disk " + String.join(", ", missing) + " not readable here: the guest was not inspected,"
                        + " boot and guest edits are planned from the definition only");
                plan = plan.withTarget(plan.target(), plan.boot(), plan.bootNote(), warnings);
                for (String w : plan.warnings()) {
                    listener.warning(w);
                }
                return new ConversionResult(plan, null, null, DomainXmlWriter.write(plan.target()), List.of(), null,
                        null, timings);
            }
        }
        InspectedGuest inspected = null;
        EditReport edits = null;
        BootDecision boot;
        long t = System.nanoTime();
        try (GuestDisks disks = GuestDisks.open(plan, req.allowBacking(), req.plan().outputDir(), listener::progress)) {
            if (!req.dryRun()) {
                // Backing files are known only once the images are open.
                List<Path> sources = new ArrayList<>(disks.sourceFiles());
                sources.add(req.definition());
                SourceGuard.check(sources, plannedOutputs(plan, req.plan().outputDir()));
            }
            listener.stage("inspect", "looking for the guest's root filesystem");
            GuestFileSystem root;
            GuestLayout layout = GuestLayout.discover(disks);
            try {
                warnings.addAll(layout.warnings());
                GuestFileSystem rootFs = GuestInspector.findRoot(layout.filesystems()).orElse(null);
                root = rootFs == null ? null : layout.mountBoot(rootFs, plan.deviceMap(), warnings);
                String rootDisk = null;
                if (root == null) {
                    inspected = layout.ntfsVolume().map(InspectedGuest::windows).orElse(null);
                    warnings.add(inspected != null
                            ? "Windows guest (NTFS on " + layout.ntfsVolume().get() + "): its files cannot be read here;"
                              + " the guest is copied unchanged"
                            : "no Linux root filesystem found on the guest's disks; the guest is copied unchanged");
                } else {
                    inspected = GuestInspector.inspect(root);
                    warnings.addAll(inspected.warnings());
                    rootDisk = layout.volumeOf(rootFs).map(v -> v.kvmPath().replaceAll("[0-9]+$", "")).orElse(null);
                }
                // Devices move to virtio only now that the guest's drivers are known.
                DeviceMap planned = plan.deviceMap();
                plan = DeviceModelChoice.apply(plan, inspected, req.plan().keepNicModel());
                boot = BootPlanner.decide(plan, inspected,
                        rootDisk == null ? Optional.empty() : layout.table(rootDisk), warnings);
                lap("inspect", t);
                if (root != null) {
                    t = System.nanoTime();
                    listener.stage("edit", "fixing the guest for KVM");
                    List<String> macs = new ArrayList<>();
                    for (SourceNic n : plan.source().nics()) {
                        if (n.mac() != null) {
                            macs.add(n.mac());
                        }
                    }
                    ConversionContext ctx = new ConversionContext(plan.deviceMap(), inspected, req.fstabUuid(),
                            plan.deviceMap().followAll(layout.uuids(), planned), macs, SERIAL_CONSOLE);
                    if (!root.isWritable()) {
                        throw new Xen2KvmException(root.describe() + ": the root filesystem cannot be edited");
                    }
                    edits = GuestEditor.applyAll(root, ctx);
                    warnings.addAll(edits.warnings());
                    lap("edit", t);
                }
                plan = plan.withTarget(targetFor(plan, boot, req), boot.strategy(), boot.note(), warnings);
                if (!req.dryRun()) {
                    copyBootFiles(plan, boot, root);
                }
            } finally {
                // Flushes filesystem metadata into the overlays before the disks are copied.
                layout.close();
            }
            for (String w : plan.warnings()) {
                listener.warning(w);
            }
            String xml = DomainXmlWriter.write(plan.target());
            if (req.dryRun()) {
                return new ConversionResult(plan, inspected, edits, xml, List.of(), null, null, timings);
            }
            t = System.nanoTime();
            for (GuestDisks.OpenDisk d : disks.disks()) {
                DiskCopy c = d.copy();
                listener.stage("copy", c.sourcePath() + " -> " + c.outputPath());
                created.createDirectories(c.outputPath().getParent());
                created.writing(c.outputPath());
                DiskCopier.copy(d.overlay(), c.outputPath(),
                        "raw".equals(c.outputFormat()) ? OutputFormat.RAW : OutputFormat.QCOW2,
                        req.copy(), listener::progress);
            }
            lap("copy", t);
            Path xmlFile = req.plan().outputDir().resolve(plan.target().name() + ".xml");
            created.write(xmlFile, xml.getBytes(StandardCharsets.UTF_8));
            String registered = null;
            BootReport report = null;
            if (req.connectUri() != null) {
                t = System.nanoTime();
                listener.stage("register", req.connectUri());
                RegisteredDomain dom = register(req, plan, xml);
                registered = dom.name();
                report = lastBootReport;
                lap("register", t);
            }
            return new ConversionResult(plan, inspected, edits, xml, created.files(), registered, report, timings);
        }
    }

    private BootReport lastBootReport;

    private RegisteredDomain register(ConversionRequest req, ConversionPlan plan, String xml) {
        TargetDomain t = plan.target();
        warnIfUnreachable(req);
        try (LibvirtRegistrar registrar = LibvirtRegistrar.connect(req.connectUri());
             Registration reg = registrar.begin()) {
            RegisteredDomain dom = reg.define(xml, t.name(), t.uuid(), req.replace());
            if (req.verifyBoot() != null) {
                listener.stage("verify-boot", "waiting up to " + req.verifyBoot().toSeconds() + " s for a login prompt");
                Path log = req.plan().outputDir().resolve(t.name() + "-console.log");
                lastBootReport = reg.verifyBoot(dom, req.verifyBoot(), LibvirtRegistrar.DEFAULT_LOGIN_PROMPT, log,
                        req.start());
                if (!lastBootReport.booted()) {
                    throw new Xen2KvmException(t.name() + ": no login prompt within " + req.verifyBoot().toSeconds()
                            + " s; console log " + log + "; last lines: " + lastBootReport.lastConsoleLines());
                }
            } else if (req.start()) {
                reg.start(dom);
            }
            reg.commit();
            return dom;
        }
    }

    /**
     * A local system libvirt runs QEMU as its own user, which must be able to walk down to
     * the output directory; a private directory (mode 0700, as mktemp makes) makes the
     * guest fail to start with "Permission denied".
     */
    private void warnIfUnreachable(ConversionRequest req) {
        if (!req.connectUri().startsWith("qemu:///system")) {
            return;
        }
        for (Path p = req.plan().outputDir().toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    listener.warning(p + " is not searchable by other users: libvirt's QEMU may not reach the disks "
                            + "(chmod o+x " + p + ")");
                    return;
                }
            } catch (IOException | UnsupportedOperationException e) {
                return;
            }
        }
    }

    /** Puts the kernel/initrd for direct boot next to the disks and points the domain at them. */
    private void copyBootFiles(ConversionPlan plan, BootDecision boot, GuestFileSystem root) throws IOException {
        if (boot.strategy() != BootStrategy.DIRECT_KERNEL) {
            return;
        }
        DirectBoot db = plan.target().directBoot();
        listener.stage("kernel", "copying " + (boot.kernelInGuest() != null ? boot.kernelInGuest() : boot.kernelOnHost()));
        copyBootFile(boot.kernelInGuest(), boot.kernelOnHost(), Path.of(db.kernel()), root);
        if (db.initrd() != null) {
            copyBootFile(boot.initrdInGuest(), boot.initrdOnHost(), Path.of(db.initrd()), root);
        }
    }

    private void copyBootFile(String inGuest, String onHost, Path out, GuestFileSystem root) throws IOException {
        byte[] data;
        if (inGuest != null && root != null) {
            data = root.readFile(inGuest, MAX_BOOT_FILE);
        } else if (onHost != null && Files.isRegularFile(Path.of(onHost))) {
            data = Files.readAllBytes(Path.of(onHost));
        } else {
            throw new Xen2KvmException("kernel or initrd " + (onHost != null ? onHost : inGuest)
                    + " not found in the guest's /boot nor on this host; copy it here or give the guest a standard kernel");
        }
        created.write(out, data);
    }

    private static TargetDomain targetFor(ConversionPlan plan, BootDecision boot, ConversionRequest req) {
        TargetDomain t = plan.target();
        if (boot.strategy() == BootStrategy.DIRECT_KERNEL) {
            String name = t.name();
            Path dir = req.plan().outputDir();
            boolean initrd = boot.initrdInGuest() != null || boot.initrdOnHost() != null;
            return t.withDirectBoot(new DirectBoot(
                    dir.resolve(name + "-vmlinuz").toAbsolutePath().normalize().toString(),
                    initrd ? dir.resolve(name + "-initrd.img").toAbsolutePath().normalize().toString() : null,
                    boot.cmdline()));
        }
        return t.withDirectBoot(null);
    }

    /** The definition and the disk images as named, before they are opened. */
    private static List<Path> sourceFiles(ConversionRequest req, ConversionPlan plan) {
        List<Path> sources = new ArrayList<>();
        sources.add(req.definition());
        if (plan.source().sourceFile() != null) {
            sources.add(Path.of(plan.source().sourceFile()));
        }
        for (DiskCopy c : plan.copies()) {
            if (c.sourceFormat() != org.xen2kvm.source.DiskFormat.XVA) {
                sources.add(Path.of(c.sourcePath()));
            }
        }
        return sources;
    }

    /** Every file a run may write: the disks, the domain XML, a kernel and an initrd. */
    private static List<Path> plannedOutputs(ConversionPlan plan, Path outputDir) {
        List<Path> outputs = new ArrayList<>();
        plan.copies().forEach(c -> outputs.add(c.outputPath()));
        String name = plan.target().name();
        for (String suffix : List.of(".xml", "-vmlinuz", "-initrd.img")) {
            outputs.add(outputDir.resolve(name + suffix).toAbsolutePath().normalize());
        }
        return outputs;
    }

    private static void checkOutputs(ConversionPlan plan, Path outputDir, boolean force) {
        if (force) {
            return;
        }
        for (Path p : plannedOutputs(plan, outputDir)) {
            if (Files.exists(p)) {
                throw new Xen2KvmException(p + ": output exists; remove it or use --force");
            }
        }
    }

    private void lap(String stage, long startNanos) {
        timings.put(stage, Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
