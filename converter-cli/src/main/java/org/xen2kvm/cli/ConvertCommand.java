package org.xen2kvm.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.xen2kvm.image.ProgressEvent;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.JsonStyle;
import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.pipeline.ConversionEvent;
import org.xen2kvm.pipeline.DiskDestination;
import org.xen2kvm.pipeline.ConversionListener;
import org.xen2kvm.pipeline.ConversionReport;
import org.xen2kvm.pipeline.ConversionRequest;
import org.xen2kvm.pipeline.ConversionResult;
import org.xen2kvm.pipeline.Converter;
import org.xen2kvm.plan.BootMode;
import org.xen2kvm.plan.BootRequest;
import org.xen2kvm.plan.PlanOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code xen2kvm convert}: one Xen guest to a KVM guest. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a Xen guest to KVM: copy its disks (sparse raw or qcow2), fix the guest "
                + "(devices, fstab, grub, console, network), write the libvirt domain XML and optionally "
                + "register and boot it. The source is never written.")
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", description = "xl/xm config, xend SXP, libvirt Xen XML, or a XenServer .xva.")
    Path config;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Definition format: xl, xm, sxp, libvirt, xva (default: detected).")
    String format;

    @Option(names = {"-o", "--output-dir"}, paramLabel = "DIR", defaultValue = ".",
            description = "Where disks, kernel and domain XML go (default: ${DEFAULT-VALUE}).")
    Path outputDir;

    @Option(names = {"-O", "--output-format"}, paramLabel = "FMT", defaultValue = "qcow2",
            description = "Disk format: qcow2 or raw (default: ${DEFAULT-VALUE}).")
    String outputFormat;

    @Option(names = "--dry-run", description = "Show the plan, the guest edits as diffs and the domain XML; write nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the plan/result as JSON (progress goes to stderr as JSON lines).")
    boolean json;

    @Option(names = "--progress", description = "Show a progress bar while copying (default on a terminal).")
    boolean progress;

    @Option(names = "--domain-type", paramLabel = "TYPE", defaultValue = "kvm",
            description = "libvirt domain type: kvm, or qemu for hosts without KVM (default: ${DEFAULT-VALUE}).")
    String domainType;

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the KVM domain (default: the Xen name).")
    String name;

    @Option(names = "--bridge", paramLabel = "XENBR=BR", description = "Attach NICs of a Xen bridge to another host bridge.")
    List<String> bridges;

    @Option(names = "--network", paramLabel = "XENBR=NET", description = "Attach NICs of a Xen bridge to a libvirt network.")
    List<String> networks;

    @Option(names = "--keep-nic-model", description = "Keep an HVM guest's emulated NIC model instead of virtio.")
    boolean keepNicModel;

    @Option(names = "--fstab-uuid", description = "Rewrite fstab devices as UUID= read from the filesystems.")
    boolean fstabUuid;

    @Option(names = "--no-guest-edits",
            description = "Copy the disks and write the domain without changing anything inside the guest (no fstab, "
                    + "GRUB, console, network or initramfs edits; the plan lists what was skipped). Needed for a guest "
                    + "whose LVM layout xen2kvm does not handle (thin pools, snapshots, RAID, a missing PV).")
    boolean noGuestEdits;

    @Mixin
    DiskWriteOptions write;

    @Option(names = {"-c", "--connect"}, paramLabel = "URI", description = "Register the guest with this libvirt (e.g. qemu:///system).")
    String connect;

    @Option(names = "--pool", paramLabel = "POOL",
            description = "Upload the disks into this libvirt storage pool (the host of --connect, which may be remote) "
                    + "and point the domain at the volumes; the copies in the output directory are kept.")
    String pool;

    @Option(names = "--replace", description = "Replace an existing (shut off) domain of the same name or UUID.")
    boolean replace;

    @Option(names = "--start", description = "Start the guest after registering it.")
    boolean start;

    @Option(names = "--verify-boot", paramLabel = "SECONDS", arity = "0..1", fallbackValue = "300",
            description = "Boot the registered guest, wait for a login prompt on its serial console, report the time, "
                    + "then shut it down unless --start (default wait: ${FALLBACK-VALUE} s).")
    Integer verifyBoot;

    @Option(names = "--boot", paramLabel = "MODE", defaultValue = "auto",
            description = "How the KVM guest boots: auto (from the guest), direct (libvirt loads a kernel and initrd: "
                    + "--kernel/--initrd of this host, else the guest's chosen kernel) or disk (the guest's own "
                    + "bootloader) (default: ${DEFAULT-VALUE}).")
    String boot;

    @Option(names = "--kernel", paramLabel = "FILE", description = "With --boot direct: a kernel of this host to boot the guest with.")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE", description = "With --boot direct --kernel: its initrd.")
    Path initrd;

    @Option(names = "--cmdline", paramLabel = "ARGS",
            description = "With --boot direct: the kernel command line (default: the guest's root as KVM names it, ro, "
                    + "console=tty0 console=ttyS0,115200).")
    String cmdline;

    @Option(names = "--install-kernel", paramLabel = "PKG",
            description = "Install this kernel package (.deb or .rpm) into the guest and boot it; repeatable.")
    List<Path> installKernels;

    @Override
    public Integer call() throws Exception {
        ConversionRequest req = request();
        PrintWriter err = spec.commandLine().getErr();
        ConversionResult result = Converter.run(req, new Listener(err, GlobalOptions.of(spec), json,
                progress || (System.console() != null && !json)));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.print(ConversionReport.json(result, dryRun) + "\n");
        } else if (!GlobalOptions.of(spec).quiet()) {
            out.print(ConversionReport.text(result, dryRun));
        }
        out.flush();
        return 0;
    }

    /**
     * The conversion these options ask for. {@code plan run} parses each guest's options into
     * a ConvertCommand and calls this, so every convert option works in plans as it does here.
     *
     * @throws IllegalArgumentException when the options do not go together
     */
    ConversionRequest request() {
        if (!outputFormat.equals("qcow2") && !outputFormat.equals("raw")) {
            throw new IllegalArgumentException("--output-format " + outputFormat + ": expected qcow2 or raw");
        }
        if (!domainType.equals("kvm") && !domainType.equals("qemu")) {
            throw new IllegalArgumentException("--domain-type " + domainType + ": expected kvm or qemu");
        }
        if ((start || verifyBoot != null || replace || pool != null) && connect == null) {
            throw new IllegalArgumentException("--start, --verify-boot, --replace and --pool need --connect URI");
        }
        PlanOptions plan = new PlanOptions(DomainType.valueOf(domainType.toUpperCase(Locale.ROOT)), outputDir,
                OutputFormat.valueOf(outputFormat.toUpperCase(Locale.ROOT)),
                CliSupport.pairs("--bridge", bridges), CliSupport.pairs("--network", networks), keepNicModel, name);
        ConversionRequest req = new ConversionRequest(config, CliSupport.configFormat(format), plan, dryRun, fstabUuid,
                write.copyOptions(), write.allowBacking, connect, replace, start,
                verifyBoot == null ? null : Duration.ofSeconds(verifyBoot),
                pool == null ? new DiskDestination.LocalFiles() : new DiskDestination.StoragePool(pool), noGuestEdits,
                bootRequest());
        return req;
    }

    /** {@code --boot} and the kernel options, each file checked to exist (exit 2 naming the option and path). */
    private BootRequest bootRequest() {
        BootMode mode = switch (boot) {
            case "auto" -> BootMode.AUTO;
            case "direct" -> BootMode.DIRECT;
            case "disk" -> BootMode.DISK;
            default -> throw new IllegalArgumentException("--boot " + boot + ": expected auto, direct or disk");
        };
        existing("--kernel", kernel);
        existing("--initrd", initrd);
        List<Path> packages = installKernels == null ? List.of() : installKernels;
        for (Path p : packages) {
            existing("--install-kernel", p);
        }
        return new BootRequest(mode, abs(kernel), abs(initrd), cmdline, packages.stream().map(ConvertCommand::abs).toList());
    }

    private static void existing(String option, Path file) {
        if (file != null && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such file");
        }
    }

    private static Path abs(Path p) {
        return p == null ? null : p.toAbsolutePath().normalize();
    }

    /** Renders pipeline events on stderr. */
    private static final class Listener implements ConversionListener {
        private final PrintWriter err;
        private final GlobalOptions global;
        private final boolean json;
        private final ProgressBar bar;

        Listener(PrintWriter err, GlobalOptions global, boolean json, boolean showBar) {
            this.err = err;
            this.global = global;
            this.json = json;
            this.bar = showBar ? new ProgressBar(err, System.console() != null) : null;
        }

        @Override
        public void on(ConversionEvent event) {
            if (event instanceof ConversionEvent.StageStarted s) {
                stage(s.stage(), s.detail());
            } else if (event instanceof ConversionEvent.Warning w) {
                warning(w.message());
            } else if (event instanceof ConversionEvent.Progress p) {
                progress(p.progress());
            } else if (event instanceof ConversionEvent.StepFinished f && global.verbose() && !json) {
                err.printf(java.util.Locale.ROOT, "   step %s: %.3f s%n", f.step(), f.took().toNanos() / 1e9);
                err.flush();
            }
        }

        private void stage(String name, String detail) {
            if (global.quiet()) {
                return;
            }
            if (json) {
                err.println(JsonStyle.compact(JsonStyle.object().put("event", "stage").put("stage", name)));
            } else if (global.verbose() || bar != null) {
                err.println("== " + name + ": " + detail);
            }
            err.flush();
        }

        private void warning(String message) {
            if (!global.quiet() && !json) {
                err.println("warning: " + message);
                err.flush();
            }
        }

        private void progress(ProgressEvent e) {
            if (global.quiet()) {
                return;
            }
            if (json) {
                err.println(ProgressBar.jsonLine(e));
                err.flush();
            } else if (bar != null) {
                bar.progress(e);
            }
        }
    }
}
