package org.xen2kvm.guest;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * Finds out whether the kernel a Linux guest boots by default can drive virtio disks and
 * NICs, from what is in the guest: {@code modules.builtin} or {@code /boot/config-*} for
 * built-in drivers, the initrd's file list ({@link InitrdListing}) for the disk driver,
 * which must be there before the root is mounted, and {@code /lib/modules/<release>} for
 * the NIC driver, which udev loads later. An initrd that cannot be listed (lzo, corrupt, too
 * large) counts only when initramfs-tools builds it with {@code MODULES=most}, which takes every disk driver.
 */
public final class VirtioDrivers {
    /** Where the kernel's build installs each driver under {@code /lib/modules/<release>/kernel} (since 2.6.24). */
    private static final String BLK_MODULE = "drivers/block/virtio_blk";
    private static final String NET_MODULE = "drivers/net/virtio_net";
    private static final String PCI_MODULE = "drivers/virtio/virtio_pci";
    private static final List<String> MODULE_SUFFIXES = List.of(".ko", ".ko.xz", ".ko.zst", ".ko.gz");

    private VirtioDrivers() {
    }

    /**
     * Judges the default boot entry's kernel, else the newest that can boot on KVM.
     *
     * @throws IOException on a filesystem error (a symlink loop, corruption)
     */
    public static VirtioSupport find(GuestFileSystem fs, List<KernelInfo> kernels, BootloaderInfo boot,
                                     InitrdCache initrds) throws IOException {
        Optional<KernelInfo> k = defaultKernel(kernels, boot);
        if (k.isEmpty()) {
            return VirtioSupport.none("no kernel in /boot that can boot on KVM");
        }
        String v = k.get().version();
        // Inflating the initrd is the slow part: it runs on the other CPU while the rest is read.
        initrds.prefetch(fs, k.get().initrdPath());
        boolean pciBuiltIn = builtIn(fs, v, "virtio_pci");
        boolean pciModule = pciBuiltIn || module(fs, v, PCI_MODULE);
        boolean net;
        String netWhy;
        if (builtIn(fs, v, "virtio_net")) {
            net = pciModule;
            netWhy = "kernel " + v + " has virtio_net built in" + (net ? "" : " but no virtio_pci");
        } else if (module(fs, v, NET_MODULE)) {
            net = pciModule;
            netWhy = "kernel " + v + " has the virtio_net module" + (net ? "" : " but no virtio_pci");
        } else {
            net = false;
            netWhy = "kernel " + v + " has no virtio_net driver";
        }
        boolean blk;
        String blkWhy;
        if (builtIn(fs, v, "virtio_blk") && pciBuiltIn) {
            blk = true;
            blkWhy = "kernel " + v + " has virtio_blk built in";
        } else {
            String initrd = k.get().initrdPath();
            InitrdCache.Entry entry = initrd == null ? null : initrds.get(fs, initrd);
            InitrdListing listing = entry == null ? null : entry.listing();
            boolean blkBuiltIn = builtIn(fs, v, "virtio_blk");
            if (initrd == null) {
                blk = false;
                blkWhy = "kernel " + v + " has no initrd and virtio_blk" + (blkBuiltIn ? "/virtio_pci" : "") + " is not built in";
            } else if (listing != null && (blkBuiltIn || listing.hasModule("virtio_blk"))
                    && (pciBuiltIn || listing.hasModule("virtio_pci"))) {
                blk = true;
                blkWhy = initrd + " has virtio_blk and virtio_pci";
            } else if (listing != null) {
                blk = false;
                blkWhy = initrd + " has no virtio_blk/virtio_pci and kernel " + v + " has them not built in";
            } else if ((blkBuiltIn || module(fs, v, BLK_MODULE)) && pciModule && initramfsToolsTakesAll(fs)) {
                blk = true;
                blkWhy = initrd + " cannot be listed here, but initramfs-tools (MODULES=most) includes the virtio_blk"
                        + " module of kernel " + v;
            } else {
                blk = false;
                blkWhy = initrd + " cannot be listed here (" + entry.problem() + ") and its generator's configuration does not show virtio_blk in it";
            }
        }
        return new VirtioSupport(v, blk, blkWhy, net, netWhy);
    }

    private static Optional<KernelInfo> defaultKernel(List<KernelInfo> kernels, BootloaderInfo boot) {
        if (boot != null && !boot.entries().isEmpty()) {
            int i = Math.max(0, Math.min(boot.defaultEntry(), boot.entries().size() - 1));
            String path = boot.entries().get(i).kernelPath();
            for (KernelInfo k : kernels) {
                if (!k.xenOnly() && path != null && (path.equals(k.vmlinuzPath())
                        || k.vmlinuzPath().equals("/boot" + path))) {
                    return Optional.of(k);
                }
            }
        }
        return kernels.stream().filter(k -> !k.xenOnly()).findFirst();
    }

    /** Whether a driver is compiled into the kernel, from modules.builtin or the kernel config. */
    public static boolean builtIn(GuestFileSystem fs, String version, String module) throws IOException {
        for (String line : TextFiles.lines(TextFiles.read(fs, "/lib/modules/" + version + "/modules.builtin").orElse(""))) {
            if (line.strip().endsWith("/" + module + ".ko")) {
                return true;
            }
        }
        String option = "CONFIG_" + module.toUpperCase(java.util.Locale.ROOT) + "=y";
        for (String line : TextFiles.lines(TextFiles.read(fs, "/boot/config-" + version).orElse(""))) {
            if (line.strip().equals(option)) {
                return true;
            }
        }
        return false;
    }

    private static boolean module(GuestFileSystem fs, String version, String path) throws IOException {
        for (String suffix : MODULE_SUFFIXES) {
            if (fs.stat("/lib/modules/" + version + "/kernel/" + path + suffix).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** initramfs-tools with MODULES=most (its default) puts every disk driver in the initrd. */
    private static boolean initramfsToolsTakesAll(GuestFileSystem fs) throws IOException {
        Optional<String> conf = TextFiles.read(fs, "/etc/initramfs-tools/initramfs.conf");
        if (conf.isEmpty()) {
            return false;
        }
        List<String> files = new java.util.ArrayList<>(List.of("/etc/initramfs-tools/initramfs.conf"));
        for (String n : TextFiles.listIfDir(fs, "/etc/initramfs-tools/conf.d")) {
            files.add("/etc/initramfs-tools/conf.d/" + n);
        }
        String modules = "most";
        for (String f : files) {
            for (String line : TextFiles.lines(TextFiles.read(fs, f).orElse(""))) {
                String s = line.strip();
                if (s.startsWith("MODULES=")) {
                    modules = s.substring("MODULES=".length()).replace("\"", "").replace("'", "").strip();
                }
            }
        }
        return modules.equals("most");
    }
}
