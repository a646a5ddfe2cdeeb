package org.xen2kvm.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.DiskFormat;

/** Sparse raw files: extents from SEEK_DATA/SEEK_HOLE through libc, sizes from lseek(SEEK_END). */
class RawFileDeviceTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private Path sparse(long size, long... dataAt) throws Exception {
        Path p = dir.resolve("disk.img");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size); // extends without writing: a hole
            for (long at : dataAt) {
                f.getChannel().write(ByteBuffer.wrap(new byte[MIB]).put(0, (byte) 1).put(MIB - 1, (byte) 2), at);
            }
        }
        return p;
    }

    @Test
    void dataExtentsFollowTheHoles() throws Exception {
        Path p = sparse(64L * MIB, 0, 10L * MIB, 11L * MIB, 40L * MIB);
        try (RawFileDevice d = RawFileDevice.openReadOnly(p)) {
            List<Extent> extents = d.allocatedExtents();
            // The filesystem may round to its block size; the written MiBs must be covered, the rest a hole.
            assertTrue(extents.contains(new Extent(0, MIB)) || extents.get(0).end() >= MIB, extents.toString());
            assertTrue(extents.stream().anyMatch(e -> e.offset() <= 10L * MIB && e.end() >= 12L * MIB), extents.toString());
            assertTrue(extents.stream().anyMatch(e -> e.offset() <= 40L * MIB && e.end() >= 41L * MIB), extents.toString());
            assertTrue(Extents.totalLength(extents) < 8L * MIB, extents.toString());
            assertEquals(DiskFormat.RAW, d.format());
            assertEquals(Extents.totalLength(extents), d.allocatedBytes());
            assertEquals(2, d.readBytes(12L * MIB - 1, 1)[0]);
        }
    }

    @Test
    void sizeFromSeekEndMatchesTheFileSize() throws Exception {
        Path p = sparse(5L * MIB + 512, 0);
        assertEquals(5L * MIB + 512, NativeSeek.endOffset(p).orElseThrow());
        try (RawFileDevice d = RawFileDevice.openReadOnly(p)) {
            assertEquals(5L * MIB + 512, d.size());
        }
    }

    @Test
    void anEmptyOrAllHoleFileHasNoExtents() throws Exception {
        Path p = sparse(16L * MIB);
        try (RawFileDevice d = RawFileDevice.openReadOnly(p)) {
            assertEquals(List.of(), d.allocatedExtents());
            assertEquals(0, d.readBytes(8L * MIB, 4096)[4095]);
        }
    }
}
