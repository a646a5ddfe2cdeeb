package org.xen2kvm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xen2kvm.initramfs.InitramfsFormatException;
import org.xen2kvm.testutil.ExternalTool;

/**
 * Archives are written by commons-compress and compressed by the real tools (gzip, zstd, xz,
 * lz4, bzip2), so the listing is checked against other implementations.
 */
class InitrdListingTest {
    @TempDir
    Path tmp;

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** {@code data} compressed by {@code command} (a filter from stdin to stdout). */
    private byte[] compress(String command, byte[] data) throws Exception {
        Path in = tmp.resolve("in");
        Files.write(in, data);
        ExternalTool.require("sh", "gzip", "zstd", "xz", "lz4", "bzip2");
        ExternalTool.Result r = ExternalTool.run(tmp, List.of("sh", "-c", command + " < in > out"));
        assertEquals(0, r.exitCode(), command + ": " + r.output());
        return Files.readAllBytes(tmp.resolve("out"));
    }

    @Test
    void plainArchive() throws Exception {
        InitrdListing l = InitrdListing.read("i", GuestTrees.cpio("init", "lib/modules/6.1/virtio_blk.ko.xz", "odd-size-name"));
        assertEquals(List.of("init", "lib/modules/6.1/virtio_blk.ko.xz", "odd-size-name"), l.paths());
        assertTrue(l.hasModule("virtio_blk"));
        assertFalse(l.hasModule("virtio"));
    }

    @Test
    void earlyMicrocodeThenGzipMainArchive() throws Exception {
        byte[] early = GuestTrees.cpio("kernel/x86/microcode/GenuineIntel.bin");
        byte[] main = GuestTrees.gzip(concat(GuestTrees.cpio("init", "virtio_pci.ko"), new byte[512], GuestTrees.cpio("second.ko")));
        InitrdListing l = InitrdListing.read("i", concat(early, new byte[100], main));
        assertEquals(List.of("kernel/x86/microcode/GenuineIntel.bin", "init", "virtio_pci.ko", "second.ko"), l.paths());
    }

    /**
     * The compressions initramfs-tools and dracut write (Debian 12 and Ubuntu default to zstd,
     * RHEL 9 and SUSE to xz or zstd), each as the main archive after an early microcode archive;
     * before InitrdListing read through InitramfsImage, all but gzip were "cannot be read here".
     */
    @ParameterizedTest
    @ValueSource(strings = {"zstd -q -c", "xz --check=crc32 -c", "lz4 -l -c", "bzip2 -c", "gzip -n -c"})
    void earlyMicrocodeThenCompressedMainArchive(String compressor) throws Exception {
        byte[] early = GuestTrees.cpio("kernel/x86/microcode/AuthenticAMD.bin");
        byte[] main = compress(compressor, GuestTrees.cpio("init", "usr/lib/modules/6.1.0-18-amd64/kernel/drivers/block/virtio_blk.ko",
                "usr/lib/modules/6.1.0-18-amd64/kernel/drivers/virtio/virtio_pci.ko.zst"));
        InitrdListing l = InitrdListing.read("/boot/initrd.img", concat(early, main));
        assertEquals(List.of("kernel/x86/microcode/AuthenticAMD.bin", "init",
                "usr/lib/modules/6.1.0-18-amd64/kernel/drivers/block/virtio_blk.ko",
                "usr/lib/modules/6.1.0-18-amd64/kernel/drivers/virtio/virtio_pci.ko.zst"), l.paths());
        assertTrue(l.hasModule("virtio_blk"));
        assertTrue(l.hasModule("virtio_pci"));
        assertFalse(l.hasModule("virtio_net"));
    }

    @Test
    void compressionWithoutDecoderIsRefusedByName() {
        byte[] lzo = concat(new byte[] {(byte) 0x89, 'L', 'Z', 'O', 0, 0x0d, 0x0a, 0x1a, 0x0a}, new byte[32]);
        InitramfsFormatException e = assertThrows(InitramfsFormatException.class, () -> InitrdListing.read("/boot/initrd.img", lzo));
        assertEquals("/boot/initrd.img: segment 1 (lzo at offset 0): lzo segments cannot be decompressed here; rebuild the "
                + "initramfs with gzip, xz, zstd or lz4", e.getMessage());
        assertEquals("i: segment 1 at offset 0 starts with bytes 68656c6c6f, neither a cpio header nor a known compression",
                assertThrows(InitramfsFormatException.class,
                        () -> InitrdListing.read("i", "hello".getBytes(StandardCharsets.US_ASCII))).getMessage());
    }

    @Test
    void truncatedArchiveFails() throws Exception {
        byte[] a = GuestTrees.cpio("init", "big-file-name");
        // "init": 110-byte header + 5-byte name, padded to 116, then 16 bytes of data.
        byte[] cut = Arrays.copyOf(a, 120);
        assertEquals("/boot/initrd.img: offset 0: cpio entry \"init\" has 16 bytes of data but the image ends 4 bytes after its"
                + " header; the image is truncated",
                assertThrows(InitramfsFormatException.class, () -> InitrdListing.read("/boot/initrd.img", cut)).getMessage());
        byte[] secondHeaderCut = Arrays.copyOf(a, 150);
        assertEquals("/boot/initrd.img: offset 132: cpio header cut short (18 of 110 bytes); the image is truncated",
                assertThrows(InitramfsFormatException.class, () -> InitrdListing.read("/boot/initrd.img", secondHeaderCut))
                        .getMessage());
        byte[] zstd = compress("zstd -q -c", a);
        byte[] zstdCut = Arrays.copyOf(zstd, zstd.length - 5);
        String m = assertThrows(InitramfsFormatException.class, () -> InitrdListing.read("/boot/initrd.img", zstdCut)).getMessage();
        assertTrue(m.startsWith("/boot/initrd.img: segment 1 (zstd at offset 0)"), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void corruptHeadersFail() throws Exception {
        byte[] a = GuestTrees.cpio("init");
        byte[] badHex = a.clone();
        badHex[6 + 6 * 8] = 'Z';
        assertEquals("i: offset 0: cpio header field 6 is \"Z0000010\", not 8 hex digits",
                assertThrows(InitramfsFormatException.class, () -> InitrdListing.read("i", badHex)).getMessage());
        byte[] hugeName = a.clone();
        System.arraycopy("FFFFFFFF".getBytes(StandardCharsets.US_ASCII), 0, hugeName, 6 + 11 * 8, 8);
        assertEquals("i: offset 0: cpio name size 4294967295 outside 2..4096; refusing the entry",
                assertThrows(InitramfsFormatException.class, () -> InitrdListing.read("i", hugeName)).getMessage());
        byte[] second = concat(a, "070701garbage".getBytes(StandardCharsets.US_ASCII));
        assertThrows(InitramfsFormatException.class, () -> InitrdListing.read("i", second));
    }
}
