package org.xen2kvm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xen2kvm.image.ByteArrayBlockDevice;
import org.xen2kvm.fs.MemoryFileSystem;

/** What inspection finds of a guest's virtio drivers, and of a Windows guest. */
class VirtioDriversTest {
    private static final String V = "6.1.0-18-amd64";

    private static MemoryFileSystem kernel(byte[] initrd) throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t");
        fs.file("/boot/vmlinuz-" + V, "k");
        if (initrd != null) {
            fs.writeFile("/boot/initrd.img-" + V, initrd, 0644, 0, 0);
        }
        return fs;
    }

    private static VirtioSupport find(MemoryFileSystem fs) throws Exception {
        return VirtioDrivers.find(fs, GuestInspector.kernels(fs, new java.util.ArrayList<>()), BootloaderInfo.none(),
                InitrdCache.empty());
    }

    @Test
    void initrdWithVirtioBlkAndInstalledVirtioNet() throws Exception {
        MemoryFileSystem fs = kernel(GuestTrees.gzip(GuestTrees.cpio("init",
                "usr/lib/modules/" + V + "/kernel/drivers/block/virtio_blk.ko.xz",
                "usr/lib/modules/" + V + "/kernel/drivers/virtio/virtio_pci.ko.xz")));
        fs.file("/lib/modules/" + V + "/kernel/drivers/net/virtio_net.ko.xz", "m");
        fs.file("/lib/modules/" + V + "/kernel/drivers/virtio/virtio_pci.ko.xz", "m");
        VirtioSupport v = find(fs);
        assertEquals(new VirtioSupport(V, true, "/boot/initrd.img-" + V + " has virtio_blk and virtio_pci",
                true, "kernel " + V + " has the virtio_net module"), v);
    }

    @Test
    void builtInDrivers() throws Exception {
        MemoryFileSystem fs = kernel(null);
        fs.file("/boot/config-" + V, "CONFIG_VIRTIO_PCI=y\nCONFIG_VIRTIO_BLK=y\nCONFIG_VIRTIO_NET=y\n");
        VirtioSupport v = find(fs);
        assertTrue(v.blk(), v.toString());
        assertTrue(v.net(), v.toString());
    }

    @Test
    void initrdWithoutVirtioBlkIsNotEnough() throws Exception {
        MemoryFileSystem fs = kernel(GuestTrees.gzip(GuestTrees.cpio("init", "lib/modules/" + V + "/kernel/drivers/block/xen-blkfront.ko")));
        fs.file("/lib/modules/" + V + "/kernel/drivers/block/virtio_blk.ko", "m");
        VirtioSupport v = find(fs);
        assertFalse(v.blk(), v.toString());
        assertFalse(v.net(), v.toString());
        assertEquals("kernel " + V + " has no virtio_net driver", v.netEvidence());
    }

    @Test
    void unreadableInitrdCountsOnlyWithInitramfsToolsModulesMost() throws Exception {
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 1, 2, 3, 4};
        MemoryFileSystem fs = kernel(zstd);
        fs.file("/lib/modules/" + V + "/kernel/drivers/block/virtio_blk.ko", "m");
        fs.file("/lib/modules/" + V + "/kernel/drivers/virtio/virtio_pci.ko", "m");
        assertFalse(find(fs).blk(), "no initramfs-tools: unknown");
        fs.file("/etc/initramfs-tools/initramfs.conf", "MODULES=dep\n");
        assertFalse(find(fs).blk(), "MODULES=dep: only the Xen host's drivers");
        fs.file("/etc/initramfs-tools/initramfs.conf", "MODULES=most\nCOMPRESS=zstd\n");
        assertTrue(find(fs).blk(), find(fs).toString());
    }

    @Test
    void noKernelNoDrivers() throws Exception {
        VirtioSupport v = find(new MemoryFileSystem("empty"));
        assertEquals(VirtioSupport.none("no kernel in /boot that can boot on KVM"), v);
    }

    @Test
    void ntfsBootSectorIsRecognised() throws Exception {
        byte[] sector = new byte[4096];
        System.arraycopy(new byte[] {(byte) 0xeb, 0x52, (byte) 0x90}, 0, sector, 0, 3);
        System.arraycopy("NTFS    ".getBytes(StandardCharsets.US_ASCII), 0, sector, 3, 8);
        sector[510] = 0x55;
        sector[511] = (byte) 0xaa;
        assertTrue(NtfsProbe.isNtfs(new ByteArrayBlockDevice(sector, "ntfs")));
        byte[] fat = sector.clone();
        System.arraycopy("MSDOS5.0".getBytes(StandardCharsets.US_ASCII), 0, fat, 3, 8);
        assertFalse(NtfsProbe.isNtfs(new ByteArrayBlockDevice(fat, "fat")));
        assertFalse(NtfsProbe.isNtfs(new ByteArrayBlockDevice(new byte[100], "tiny")));
    }
}
