package org.xen2kvm.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Corrupt, truncated and hostile images are refused with one line naming the image and the offset. */
class InitramfsFailTest {
    private static String refusal(byte[] image, InitramfsLimits limits) {
        InitramfsFormatException e = assertThrows(InitramfsFormatException.class, () -> InitramfsImage.read("initrd.img", image, limits));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    private static String refusal(byte[] image) {
        return refusal(image, InitramfsLimits.DEFAULT);
    }

    private static byte[] plain() {
        return InitramfsImage.of(Compression.NONE, SampleImages.mainEntries()).write();
    }

    @Test
    void truncatedArchive() {
        byte[] b = plain();
        assertEquals("initrd.img: offset 228: cpio entry \"bin/hello\" has 21 bytes of data but the image ends 12 bytes "
                + "after its header; the image is truncated", refusal(Arrays.copyOf(b, 360)));
        assertEquals("initrd.img: offset 0: cpio header cut short (50 of 110 bytes); the image is truncated",
                refusal(Arrays.copyOf(b, 50)));
    }

    @Test
    void badHeaderField() {
        byte[] b = plain();
        b[6 + 8 * CpioNewc.F_FILESIZE] = 'z';
        assertEquals("initrd.img: offset 0: cpio header field 6 is \"z0000000\", not 8 hex digits", refusal(b));
    }

    @Test
    void unknownBytesAndLzo() {
        assertEquals("initrd.img: segment 1 at offset 4 starts with bytes 41424344, neither a cpio header nor a known compression",
                refusal(new byte[] {0, 0, 0, 0, 'A', 'B', 'C', 'D'}));
        assertEquals("initrd.img: segment 1 (lzo at offset 0): lzo segments cannot be decompressed here; rebuild the "
                + "initramfs with gzip, xz, zstd or lz4", refusal(new byte[] {(byte) 0x89, 'L', 'Z', 'O', 0, 0}));
        assertEquals("initrd.img: no cpio archive (16 bytes, all zero)", refusal(new byte[16]));
    }

    @Test
    void hostileNameSizeAndEntryCount() {
        byte[] b = plain();
        byte[] size = String.format("%08X", 100_000).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, b, 6 + 8 * CpioNewc.F_NAMESIZE, 8);
        assertEquals("initrd.img: offset 0: cpio name size 100000 outside 2..4096; refusing the entry", refusal(b));
        assertEquals("initrd.img: offset 112: more than 1 cpio entries; refusing the image as hostile or corrupt",
                refusal(plain(), new InitramfsLimits(1, 4096, 1 << 20)));
    }

    @Test
    void decompressionBomb() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(InitramfsImage.of(Compression.NONE, List.of(CpioEntry.file("zeros", 0644, 0, new byte[4 << 20]))).write());
        }
        String m = refusal(out.toByteArray(), new InitramfsLimits(100, 4096, 1 << 20));
        assertEquals("initrd.img: segment 1 (gzip at offset 0): decompresses to more than " + ((1 << 20) - out.size())
                + " bytes, beyond the limit for one initramfs; refusing the image", m);
    }

    @Test
    void corruptCompressedData() {
        for (Compression c : List.of(Compression.GZIP, Compression.XZ, Compression.ZSTD, Compression.LZ4_LEGACY)) {
            byte[] b = InitramfsImage.of(c, SampleImages.mainEntries()).write();
            byte[] cut = Arrays.copyOf(b, b.length / 2);
            String m = refusal(cut);
            assertEquals(true, m.startsWith("initrd.img: segment 1 (" + c.label() + " at offset 0)"), m);
        }
    }
}
