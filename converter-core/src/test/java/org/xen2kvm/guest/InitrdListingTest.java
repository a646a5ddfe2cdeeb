package org.xen2kvm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Archives are written by commons-compress, so the reader is checked against another implementation. */
class InitrdListingTest {

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void plainArchive() throws Exception {
        InitrdListing l = InitrdListing.read("i", GuestTrees.cpio("init", "lib/modules/6.1/virtio_blk.ko.xz", "odd-size-name"));
        assertEquals(List.of("init", "lib/modules/6.1/virtio_blk.ko.xz", "odd-size-name"), l.paths());
        assertTrue(l.complete());
        assertTrue(l.hasModule("virtio_blk"));
        assertFalse(l.hasModule("virtio"));
    }

    @Test
    void earlyMicrocodeThenGzipMainArchive() throws Exception {
        byte[] early = GuestTrees.cpio("kernel/x86/microcode/GenuineIntel.bin");
        byte[] main = GuestTrees.gzip(concat(GuestTrees.cpio("init", "virtio_pci.ko"), new byte[512], GuestTrees.cpio("second.ko")));
        InitrdListing l = InitrdListing.read("i", concat(early, new byte[100], main));
        assertEquals(List.of("kernel/x86/microcode/GenuineIntel.bin", "init", "virtio_pci.ko", "second.ko"), l.paths());
        assertTrue(l.complete());
    }

    @Test
    void undecodableCompressionIsNamed() throws Exception {
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0};
        InitrdListing l = InitrdListing.read("i", concat(GuestTrees.cpio("early.bin"), zstd));
        assertEquals(List.of("early.bin"), l.paths());
        assertFalse(l.complete());
        assertEquals("zstd", l.unreadable());
        assertEquals("xz", InitrdListing.read("i", new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}).unreadable());
        assertEquals("unknown", InitrdListing.read("i", "hello".getBytes(StandardCharsets.US_ASCII)).unreadable());
    }

    @Test
    void truncatedArchiveFails() throws Exception {
        byte[] a = GuestTrees.cpio("init", "big-file-name");
        // "init": 110-byte header + 5-byte name, padded to 116, then 16 bytes of data.
        byte[] cut = Arrays.copyOf(a, 120);
        InitrdListing.InitrdFormatException e = assertThrows(InitrdListing.InitrdFormatException.class,
                () -> InitrdListing.read("/boot/initrd.img", cut));
        assertEquals("/boot/initrd.img: cpio data at offset 116 (16 bytes) is cut short; the initrd is truncated", e.getMessage());
        byte[] secondHeaderCut = Arrays.copyOf(a, 150);
        assertEquals("/boot/initrd.img: cpio header at offset 132 is cut short (18 of 110 bytes); the initrd is truncated",
                assertThrows(InitrdListing.InitrdFormatException.class, () -> InitrdListing.read("/boot/initrd.img", secondHeaderCut))
                        .getMessage());
        byte[] headerCut = Arrays.copyOf(a, 50);
        assertEquals("/boot/initrd.img: cpio header at offset 0 is cut short (50 of 110 bytes); the initrd is truncated",
                assertThrows(InitrdListing.InitrdFormatException.class, () -> InitrdListing.read("/boot/initrd.img", headerCut))
                        .getMessage());
    }

    @Test
    void corruptHeadersFail() throws Exception {
        byte[] a = GuestTrees.cpio("init");
        byte[] badHex = a.clone();
        badHex[6 + 6 * 8] = 'Z';
        assertEquals("i: cpio header at offset 0: field 6 is 'Z0000010', not 8 hex digits",
                assertThrows(InitrdListing.InitrdFormatException.class, () -> InitrdListing.read("i", badHex)).getMessage());
        byte[] hugeName = a.clone();
        System.arraycopy("FFFFFFFF".getBytes(StandardCharsets.US_ASCII), 0, hugeName, 6 + 11 * 8, 8);
        assertEquals("i: cpio header at offset 0: name size 4294967295 outside 1..4096; the initrd is corrupt",
                assertThrows(InitrdListing.InitrdFormatException.class, () -> InitrdListing.read("i", hugeName)).getMessage());
        byte[] second = concat(a, "070701garbage".getBytes(StandardCharsets.US_ASCII));
        assertThrows(InitrdListing.InitrdFormatException.class, () -> InitrdListing.read("i", second));
    }
}
