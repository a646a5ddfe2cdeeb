package org.xen2kvm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xen2kvm.fs.MemoryFileSystem;

/** Each kernel's verdict (Xen-only, KVM-capable, its virtio drivers) and the choice among them. */
class KernelDetectionTest {

    /** A Debian 12 kernel as installed: config with virtio as modules, the module files, modules.builtin. */
    static void debianKernel(MemoryFileSystem fs, String rel, boolean withVirtio) throws Exception {
        fs.file("/boot/vmlinuz-" + rel, "k");
        fs.file("/boot/initrd.img-" + rel, "i");
        fs.file("/boot/config-" + rel, "#\n# Automatically generated file; DO NOT EDIT.\nCONFIG_64BIT=y\nCONFIG_XEN=y\n"
                + "CONFIG_XEN_PVHVM=y\n" + (withVirtio ? "CONFIG_VIRTIO_BLK=m\nCONFIG_VIRTIO_NET=m\nCONFIG_VIRTIO_PCI=m\n"
                : "# CONFIG_VIRTIO_BLK is not set\n# CONFIG_VIRTIO_NET is not set\n# CONFIG_VIRTIO_PCI is not set\n"));
        String m = "/lib/modules/" + rel;
        fs.file(m + "/modules.builtin", "kernel/fs/ext4/ext4.ko\nkernel/drivers/block/xen-blkfront.ko\n");
        fs.file(m + "/kernel/fs/ext4/ext4.ko.xz", "m");
        fs.file(m + "/kernel/drivers/net/xen-netfront.ko.xz", "m");
        if (withVirtio) {
            fs.file(m + "/kernel/drivers/block/virtio_blk.ko.xz", "m");
            fs.file(m + "/kernel/drivers/net/virtio_net.ko.xz", "m");
            fs.file(m + "/kernel/drivers/virtio/virtio_pci.ko.xz", "m");
            fs.file(m + "/kernel/drivers/virtio/virtio_pci_modern_dev.ko.xz", "m");
        }
    }

    private static List<KernelVerdict> judge(MemoryFileSystem fs) throws Exception {
        return KernelDetection.judgeAll(fs, GuestInspector.kernels(fs, new ArrayList<>()));
    }

    @Test
    void debianKernelWithVirtioModulesIsCapable() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t");
        debianKernel(fs, "6.1.0-18-amd64", true);
        assertEquals(List.of(new KernelVerdict("6.1.0-18-amd64", "/boot/vmlinuz-6.1.0-18-amd64",
                "/boot/initrd.img-6.1.0-18-amd64", true, false, DriverStatus.MODULE, DriverStatus.MODULE,
                DriverStatus.MODULE, false, List.of())), judge(fs));
    }

    @Test
    void strippedKernelIsNotCapableAndSaysWhy() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t");
        debianKernel(fs, "6.1.0-18-amd64", false);
        KernelVerdict v = judge(fs).get(0);
        assertFalse(v.kvmCapable());
        assertFalse(v.xenOnly(), "its config is pvops: not Xen-only, only without drivers");
        assertEquals(DriverStatus.MISSING, v.virtioBlk());
        assertEquals(List.of(
                "no virtio_blk (not built in, no module under /lib/modules/6.1.0-18-amd64): it cannot find its disk",
                "no virtio_pci (not built in, no module under /lib/modules/6.1.0-18-amd64): it cannot see virtio devices"),
                v.reasons());
    }

    @Test
    void configSayingModuleButFileRemovedIsMissing() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t");
        debianKernel(fs, "6.1.0-18-amd64", true);
        fs.delete("/lib/modules/6.1.0-18-amd64/kernel/drivers/block/virtio_blk.ko.xz");
        KernelVerdict v = judge(fs).get(0);
        assertEquals(DriverStatus.MISSING, v.virtioBlk());
        assertFalse(v.kvmCapable());
    }

    @Test
    void builtInFromConfigOrModulesBuiltin() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t");
        fs.file("/boot/vmlinuz-5.10.0-cloud", "k");
        fs.file("/boot/config-5.10.0-cloud", "CONFIG_VIRTIO_BLK=y\nCONFIG_VIRTIO_NET=m\n");
        fs.file("/lib/modules/5.10.0-cloud/modules.builtin", "kernel/drivers/virtio/virtio_pci.ko\n");
        fs.file("/lib/modules/5.10.0-cloud/updates/dkms/virtio-net.ko", "m");
        KernelVerdict v = judge(fs).get(0);
        assertEquals(List.of(DriverStatus.BUILTIN, DriverStatus.MODULE, DriverStatus.BUILTIN),
                List.of(v.virtioBlk(), v.virtioNet(), v.virtioPci()), "dashes in file names are underscores to modprobe");
        assertTrue(v.complete());
    }

    @Test
    void xenFlavoursByNameAndByConfig() throws Exception {
        MemoryFileSystem fs = GuestTrees.rhel5();
        fs.file("/boot/config-2.6.18-398.el5", "CONFIG_X86_64=y\nCONFIG_VIRTIO_BLK=m\nCONFIG_VIRTIO_PCI=m\nCONFIG_VIRTIO_NET=m\n");
        fs.file("/lib/modules/2.6.18-398.el5/kernel/drivers/block/virtio_blk.ko", "m");
        fs.file("/lib/modules/2.6.18-398.el5/kernel/drivers/virtio/virtio_pci.ko", "m");
        fs.file("/lib/modules/2.6.18-398.el5/kernel/drivers/net/virtio_net.ko", "m");
        fs.file("/boot/config-2.6.18-398.el5xen", "CONFIG_X86_64=y\nCONFIG_X86_64_XEN=y\nCONFIG_XEN=y\n");
        List<KernelVerdict> vs = judge(fs);
        KernelVerdict xen = vs.get(0);
        assertTrue(xen.xenOnly());
        assertFalse(xen.kvmCapable());
        assertEquals(List.of(
                "/boot/config-2.6.18-398.el5xen sets CONFIG_X86_64_XEN=y: a xenified kernel that runs only on Xen",
                "release 2.6.18-398.el5xen is a Xen flavour",
                "no virtio_blk (not built in, no module under /lib/modules/2.6.18-398.el5xen): it cannot find its disk",
                "no virtio_pci (not built in, no module under /lib/modules/2.6.18-398.el5xen): it cannot see virtio devices"),
                xen.reasons());
        assertTrue(vs.get(1).complete());
        KernelChoice c = KernelChoice.choose(vs, GuestInspector.bootloader(fs, new ArrayList<>()));
        assertEquals("2.6.18-398.el5", c.chosen().release());
        assertEquals("the newest KVM-capable kernel with virtio_blk and virtio_net"
                + " (the default entry's 2.6.18-398.el5xen cannot boot on KVM)", c.why());
    }

    @Test
    void debianPvopsXenAmd64IsNotXenOnly() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("squeeze");
        fs.file("/boot/vmlinuz-2.6.32-5-xen-amd64", "k");
        fs.file("/boot/vmlinuz-2.6.16-1.2096_FC5xenU", "k");
        List<KernelVerdict> vs = judge(fs);
        assertEquals(List.of("2.6.32-5-xen-amd64", "2.6.16-1.2096_FC5xenU"), vs.stream().map(KernelVerdict::release).toList());
        assertFalse(vs.get(0).xenOnly());
        assertTrue(vs.get(0).kvmCapable(), "nothing says its drivers are missing");
        assertEquals(List.of("no /boot/config-2.6.32-5-xen-amd64 nor /lib/modules/2.6.32-5-xen-amd64:"
                + " its virtio drivers cannot be checked"), vs.get(0).reasons());
        assertEquals(DriverStatus.UNKNOWN, vs.get(0).virtioBlk());
        assertTrue(vs.get(1).xenOnly());
    }

    @Test
    void choiceKeepsAGoodDefaultAndOtherwisePrefersCompleteNewestNonDebug() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t");
        debianKernel(fs, "6.1.0-9-amd64", true);
        debianKernel(fs, "6.1.0-18-amd64", false);
        debianKernel(fs, "6.1.0-20-amd64+debug", true);
        debianKernel(fs, "5.10.0-30-amd64", true);
        fs.delete("/lib/modules/5.10.0-30-amd64/kernel/drivers/net/virtio_net.ko.xz");
        fs.file("/lib/modules/6.1.0-99-amd64/kernel/drivers/block/virtio_blk.ko", "m");
        List<KernelVerdict> vs = judge(fs);
        BootloaderInfo menu = GrubConfigs.parseGrub2("/boot/grub/grub.cfg", """
                set default="1"
                menuentry 'a' {
                \tlinux /boot/vmlinuz-6.1.0-18-amd64 root=/dev/xvda1
                }
                menuentry 'b' {
                \tlinux /boot/vmlinuz-5.10.0-30-amd64 root=/dev/xvda1
                }
                """);
        KernelChoice c = KernelChoice.choose(vs, menu);
        assertEquals("6.1.0-9-amd64", c.chosen().release(), "newer ones are stripped or debug; 5.10 lacks virtio_net");
        assertEquals("the newest KVM-capable kernel with virtio_blk and virtio_net"
                + " (the default entry's 5.10.0-30-amd64 has no virtio_net)", c.why());

        BootloaderInfo good = GrubConfigs.parseGrub2("/boot/grub/grub.cfg", "menuentry 'c' {\n\tlinux /vmlinuz-6.1.0-9-amd64\n}\n");
        assertEquals("the default boot entry's kernel, which can boot on KVM", KernelChoice.choose(vs, good).why());
    }

    @Test
    void noCapableKernelChoosesNothing() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t");
        debianKernel(fs, "6.1.0-18-amd64", false);
        fs.file("/boot/vmlinuz-3.0.101-63-xen", "k");
        KernelChoice c = KernelChoice.choose(judge(fs), BootloaderInfo.none());
        assertNull(c.chosen());
        assertEquals("no kernel in /boot can boot on KVM", c.why());
        assertEquals("no kernel in /boot", KernelChoice.choose(List.of(), BootloaderInfo.none()).why());
    }

    @Test
    void hostileModuleTreeIsBounded() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t");
        fs.file("/boot/vmlinuz-6.1.0-1", "k");
        StringBuilder deep = new StringBuilder("/lib/modules/6.1.0-1");
        for (int i = 0; i < 40; i++) {
            deep.append("/d");
        }
        fs.file(deep + "/virtio_blk.ko", "m");
        fs.link("/lib/modules/6.1.0-1/loop", "/lib/modules/6.1.0-1");
        KernelVerdict v = judge(fs).get(0);
        assertEquals(DriverStatus.MISSING, v.virtioBlk(), "beyond the depth bound, and the symlink is not followed");
    }
}
