package org.xen2kvm.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.edit.BootEntryWriter;
import org.xen2kvm.edit.ConversionContext;
import org.xen2kvm.edit.FirstBootService;
import org.xen2kvm.edit.GuestEdit;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.guest.KernelInfo;
import org.xen2kvm.guest.KernelVerdict;
import org.xen2kvm.guest.OsFamily;
import org.xen2kvm.kernel.VirtioInitramfs;
import org.xen2kvm.kmod.DepmodFiles;
import org.xen2kvm.kmod.ModuleTree;
import org.xen2kvm.pkg.GuestPackages;
import org.xen2kvm.pkg.InstalledPackage;
import org.xen2kvm.pkg.KernelPackage;
import org.xen2kvm.pkg.KernelPackages;
import org.xen2kvm.pkg.PackageFormat;
import org.xen2kvm.pkg.PackageInstaller;

/**
 * Installs the kernel packages of {@code --install-kernel} into the guest, in the overlays:
 * every package is opened and checked against the guest (architecture, kernel, dependencies)
 * before the first file is written, so a refusal leaves the guest as it was; then each is
 * unpacked, gets depmod's files, an initramfs built from the guest's default one with the
 * new kernel's virtio modules ({@link KernelInitrd}), and a boot entry made the default; a
 * first-boot service registers the packages with the guest's package database. The guest is
 * then inspected again, so the kernel choice, the boot decision and the edits that follow see
 * the new kernel.
 *
 * <p>The files are not recorded as edits: a dry run shows one line per package
 * ({@link Facts#INSTALLED_KERNELS}) rather than diffs of kernel binaries.
 */
final class InstallKernels extends PipelineStep {
    InstallKernels() {
        super("install-kernels", "edit", READS);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        List<Path> files = run.request().boot().installKernels();
        if (files.isEmpty()) {
            return;
        }
        if (run.request().noGuestEdits()) {
            throw new IllegalArgumentException("--install-kernel edits the guest; it cannot be combined with --no-guest-edits");
        }
        GuestFileSystem root = run.find(Facts.ROOT).orElseThrow(() -> new Xen2KvmException(
                "--install-kernel: no Linux root filesystem found on the guest's disks to install "
                        + files.get(0).getFileName() + " into"));
        InspectedGuest guest = run.get(Facts.INSPECTED);
        run.stage("kernel", "checking " + files.size() + (files.size() == 1 ? " kernel package" : " kernel packages"));
        List<KernelPackage> packages = new ArrayList<>();
        for (Path f : files) {
            packages.add(KernelPackages.open(f));
        }
        GuestPackages has = GuestPackages.read(root, guest.kernels().stream().map(KernelInfo::version).toList());
        String arch = has.architecture().orElseThrow(() -> new Xen2KvmException("--install-kernel: the guest's"
                + " architecture cannot be told (no " + "/var/lib/dpkg/status, no kernel release naming it, /bin/sh is"
                + " no ELF file); nothing was installed"));
        for (KernelPackage p : packages) {
            p.check(arch, has::has);
        }
        if (!has.unchecked().isEmpty()) {
            run.warn("--install-kernel: the guest's RPM database cannot be read here; assumed installed: "
                    + String.join(", ", has.unchecked()));
        }
        if (!root.isWritable()) {
            throw new Xen2KvmException(root.describe() + ": the root filesystem cannot be edited; nothing was installed");
        }
        ConversionContext ctx = EditGuest.context(run);
        VirtioInitramfs.Needs needs = KernelInitrd.needs(guest, rootOnLvm(run));
        List<String> summary = new ArrayList<>();
        List<FirstBootService.Package> registered = new ArrayList<>();
        String lastKernel = null;
        for (KernelPackage p : packages) {
            String rel = p.kernelRelease().orElseThrow();
            run.stage("kernel", "installing " + p.name() + " " + p.version());
            InstalledPackage installed = PackageInstaller.install(root, p);
            String scripts = "";
            for (String w : installed.warnings()) {
                // dpkg -i at first boot runs a .deb's maintainer scripts: not a warning for Debian guests.
                if (p.format() == PackageFormat.DEB && w.startsWith(p.file() + ": maintainer scripts not run offline")) {
                    scripts = ", its maintainer scripts run by dpkg -i at first boot";
                } else {
                    run.warn("--install-kernel: " + w);
                }
            }
            String kernelPath = p.kernelImage().orElseThrow();
            // The release was found in the package's listing (md5sums): its data must have held it too.
            if (root.stat(kernelPath).isEmpty()) {
                throw new Xen2KvmException(p.file() + ": its file list names " + kernelPath
                        + " but its data has no such file; nothing was installed");
            }
            ModuleTree tree = ModuleTree.scan(root, rel);
            for (var e : DepmodFiles.generate(tree).entrySet()) {
                root.writeFile("/lib/modules/" + rel + "/" + e.getKey(), e.getValue(), 0644, 0, 0);
            }
            run.stage("kernel", "building the initramfs of " + rel);
            KernelInitrd.Built initrd = KernelInitrd.build(root, guest, tree, needs, ctx.deviceMap()::translate);
            List<String> notes = new ArrayList<>(BootEntryWriter.addAndMakeDefault(root, ctx,
                    new BootEntryWriter.NewKernel(rel, kernelPath, initrd.path(), p.name())));
            warnNotes(run, notes);
            registered.add(new FirstBootService.Package(p.name(), rel,
                    p.format() == PackageFormat.RPM ? FirstBootService.Format.RPM : FirstBootService.Format.DEB, p.file()));
            summary.add(p.name() + " " + p.version() + " (" + p.architecture() + "): " + installed.files().size()
                    + " files, " + installed.bytes() / (1 << 20) + " MiB, kernel " + kernelPath + ", initramfs "
                    + initrd.path() + " (" + initrd.note() + "), boot entry made the default" + scripts);
            lastKernel = kernelPath;
        }
        warnNotes(run, FirstBootService.install(root, guest, registered));
        summary.add("first boot: " + FirstBootService.SCRIPT + " registers " + String.join(", ",
                registered.stream().map(FirstBootService.Package::name).toList()) + " with the package database");
        // The same initrds: the images read and written so far are not inflated again.
        InspectedGuest again = GuestInspector.inspect(root, guest.initrds());
        run.put(Facts.INSPECTED, again);
        run.put(Facts.INSTALLED_KERNELS, new InstalledKernels(summary));
        chosenOrWarn(run, again, lastKernel);
    }

    private static boolean rootOnLvm(ConversionRun run) {
        return run.find(Facts.LAYOUT).map(l -> l.lvm().groups().stream().flatMap(g -> g.logicalVolumes().stream())
                .anyMatch(lv -> "/".equals(lv.mountPoint()))).orElse(false);
    }

    /** Notes of the boot entry writer and first-boot service: those that need attention become warnings. */
    private static void warnNotes(ConversionRun run, List<String> notes) {
        for (String n : notes) {
            if (n.startsWith(GuestEdit.WARNING)) {
                run.warn("--install-kernel: " + n.substring(GuestEdit.WARNING.length()));
            }
        }
    }

    /** The kernel just installed is the one the guest will boot, or the user is told why not. */
    private static void chosenOrWarn(ConversionRun run, InspectedGuest guest, String kernelPath) {
        Optional<KernelVerdict> chosen = guest.kernelChoice().kernel();
        if (chosen.isPresent() && chosen.get().kernelPath().equals(kernelPath)) {
            return;
        }
        String verdict = guest.verdicts().stream().filter(v -> v.kernelPath().equals(kernelPath)).findFirst()
                .map(KernelVerdict::summary).orElse(kernelPath + " (not found in /boot after the install)");
        run.warn("--install-kernel: the installed kernel " + verdict + " is not the one chosen to boot: "
                + guest.kernelChoice().why());
    }

    /** The initramfs name the distribution's own tools give a release. */
    static String initrdName(InspectedGuest guest, String templatePath, String release) {
        String base = templatePath == null ? "" : templatePath.substring(templatePath.lastIndexOf('/') + 1);
        if (base.startsWith("initrd.img-")) {
            return "/boot/initrd.img-" + release;
        }
        if (base.startsWith("initramfs-")) {
            return "/boot/initramfs-" + release + ".img";
        }
        if (base.startsWith("initrd-")) {
            return "/boot/initrd-" + release + ".img";
        }
        if (guest.os().family() == OsFamily.DEBIAN) {
            return "/boot/initrd.img-" + release;
        }
        int major = guest.os().majorVersion();
        return major >= 0 && major <= 5 ? "/boot/initrd-" + release + ".img" : "/boot/initramfs-" + release + ".img";
    }
}
