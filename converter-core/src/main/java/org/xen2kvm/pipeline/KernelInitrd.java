package org.xen2kvm.pipeline;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.guest.KernelChoice;
import org.xen2kvm.guest.KernelVerdict;
import org.xen2kvm.guest.KernelVersions;
import org.xen2kvm.guest.FstabEntry;
import org.xen2kvm.initramfs.InitramfsImage;
import org.xen2kvm.initramfs.ModuleFile;
import org.xen2kvm.initramfs.Rebuilt;
import org.xen2kvm.kernel.VirtioInitramfs;
import org.xen2kvm.kmod.ModuleTree;

/**
 * The initramfs of a kernel installed into the guest: the guest's default kernel's initramfs
 * (its tools, scripts and configuration, as the guest's own generator made them) with the new
 * release's modules, so that it finds the root on virtio. Named as the distribution names its
 * own ({@link InstallKernels#initrdName}).
 */
final class KernelInitrd {
    /**
     * @param path where it was written in the guest
     * @param note what it was built from, for the plan
     */
    record Built(String path, String note) {
    }

    private KernelInitrd() {
    }

    /**
     * Builds and writes the initramfs of {@code release}.
     *
     * @param tree the new release's module tree, as scanned for depmod
     * @throws Xen2KvmException when the guest has no initramfs to start from
     */
    static Built build(GuestFileSystem fs, InspectedGuest guest, ModuleTree tree, VirtioInitramfs.Needs needs,
                       Function<String, Optional<String>> deviceMap) throws IOException {
        String release = tree.release();
        KernelVerdict template = template(guest).orElseThrow(() -> new Xen2KvmException("--install-kernel: the guest"
                + " has no initramfs to build one for " + release + " from (none of its kernels has one in /boot)"));
        // The default kernel's initrd: inspection inflated it already.
        InitramfsImage image = guest.initrds().image(fs, template.initrdPath());
        Rebuilt rebuilt = VirtioInitramfs.rebuildFor(fs, image, tree, needs, deviceMap);
        String path = InstallKernels.initrdName(guest, template.initrdPath(), release);
        // Written through the cache: the edit step's rebuild check then reads it without inflating it.
        byte[] built = guest.initrds().write(fs, path, rebuilt.image(), 0644, 0, 0);
        List<String> added = rebuilt.changes().stream().filter(c -> c.startsWith("added "))
                .map(c -> ModuleFile.nameOf(c.substring("added ".length()))).filter(Objects::nonNull).toList();
        return new Built(path, "from " + template.initrdPath() + ", " + built.length / (1 << 20) + " MiB"
                + (added.isEmpty() ? "" : ", with " + String.join(", ", added)));
    }

    /** What the root filesystem needs: its type from fstab, and dm_mod when it is a logical volume. */
    static VirtioInitramfs.Needs needs(InspectedGuest guest, boolean rootOnLvm) {
        FstabEntry root = guest.fstab() == null ? null : guest.fstab().at("/");
        return VirtioInitramfs.Needs.of(root == null ? null : root.type(), rootOnLvm);
    }

    /** The default entry's kernel when it has an initramfs, else the newest kernel with one. */
    static Optional<KernelVerdict> template(InspectedGuest guest) {
        Optional<KernelVerdict> dflt = KernelChoice.defaultKernel(guest.verdicts(), guest.bootloader())
                .filter(v -> v.initrdPath() != null);
        if (dflt.isPresent()) {
            return dflt;
        }
        return guest.verdicts().stream().filter(v -> v.initrdPath() != null)
                .max(Comparator.comparing(KernelVerdict::release, KernelVersions.ASCENDING));
    }
}
