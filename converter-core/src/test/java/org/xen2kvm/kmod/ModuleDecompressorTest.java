package org.xen2kvm.kmod;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/** Real xz and zstd files made by the xz and zstd tools are read in DepmodOracleTest#compressedModules. */
class ModuleDecompressorTest {
    private static final byte[] ELF = TestElf.typical(true, ByteOrder.LITTLE_ENDIAN);

    static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    static byte[] xz(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (XZOutputStream x = new XZOutputStream(out, new LZMA2Options(1), XZ.CHECK_CRC32)) {
            x.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void plainIsPassedThrough() throws Exception {
        assertSame(ELF, ModuleDecompressor.decompress("a/b.ko", ELF));
    }

    @Test
    void gzipAndXzRoundTrip() throws Exception {
        assertArrayEquals(ELF, ModuleDecompressor.decompress("b.ko.gz", gzip(ELF)));
        assertArrayEquals(ELF, ModuleDecompressor.decompress("b.ko.xz", xz(ELF)));
        assertEquals("virtio_blk", ModinfoReader.readFile("b.ko.xz", xz(ELF)).name());
    }

    @Test
    void suffixDecidesNotContent() {
        ModuleFormatException e = assertThrows(ModuleFormatException.class, () -> ModuleDecompressor.decompress("b.ko.zst", ELF));
        assertTrue(e.getMessage().startsWith("b.ko.zst: corrupt zstd data: "), e.getMessage());
        e = assertThrows(ModuleFormatException.class, () -> ModuleDecompressor.decompress("b.ko.xz", gzip(ELF)));
        assertTrue(e.getMessage().startsWith("b.ko.xz: corrupt xz data: "), e.getMessage());
        e = assertThrows(ModuleFormatException.class, () -> ModuleDecompressor.decompress("README", ELF));
        assertEquals("README: not a kernel module file name (.ko, .ko.xz, .ko.zst, .ko.gz)", e.getMessage());
    }

    @Test
    void truncatedStreamsAreRefused() throws Exception {
        byte[] x = xz(ELF);
        byte[] g = gzip(ELF);
        ModuleFormatException e = assertThrows(ModuleFormatException.class,
                () -> ModuleDecompressor.decompress("t.ko.xz", java.util.Arrays.copyOf(x, x.length / 2)));
        assertTrue(e.getMessage().startsWith("t.ko.xz: corrupt xz data: "), e.getMessage());
        e = assertThrows(ModuleFormatException.class,
                () -> ModuleDecompressor.decompress("t.ko.gz", java.util.Arrays.copyOf(g, g.length / 2)));
        assertTrue(e.getMessage().startsWith("t.ko.gz: corrupt gzip data: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void bombIsStoppedAtTheLimit() throws Exception {
        byte[] bomb = gzip(new byte[ModuleDecompressor.MAX_MODULE_BYTES + 1]);
        assertTrue(bomb.length < 1 << 20);
        ModuleFormatException e = assertThrows(ModuleFormatException.class, () -> ModuleDecompressor.decompress("bomb.ko.gz", bomb));
        assertEquals("bomb.ko.gz: larger than 64 MiB once decompressed; not a kernel module", e.getMessage());
    }
}
