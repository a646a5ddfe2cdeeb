package org.xen2kvm.image.write;

import org.xen2kvm.image.ProgressListener;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xen2kvm.image.write.DiskCopierTest.allocatedBytes;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.Extent;
import org.xen2kvm.image.RawFileDevice;

/** Runs on the build machine's disk (ext4 in CI), which has fallocate and hole punching. */
class RawPreallocationTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void allocatesSmallExtentsOnlyAndPunchesTheirZerosBackOut() throws Exception {
        Path file = dir.resolve("out.raw");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(512 * MIB);
        }
        List<Extent> extents = List.of(new Extent(0, 4 * MIB), new Extent(8 * MIB, 4 * MIB),
                new Extent(64 * MIB, RawPreallocation.MAX_EXTENT + MIB));
        try (RawPreallocation p = RawPreallocation.allocate(file, extents)) {
            assertEquals(8 * MIB, p.allocatedBytes(), "the 65 MiB extent is left to the writes");
            assertEquals(8 * MIB, allocatedBytes(file));
            assertEquals(512 * MIB, Files.size(file), "the size is kept");
            p.zeros(MIB, 64 * 1024);              // inside the first extent
            p.zeros(3 * MIB, 2 * MIB);            // from the first extent into the gap: 1 MiB of it
            p.zeros(100 * MIB, MIB);              // in the large extent: never allocated here
            p.finish();
            assertEquals(64 * 1024 + MIB, p.punchedBytes());
        }
        assertEquals(8 * MIB - 64 * 1024 - MIB, allocatedBytes(file));
        byte[] head = new byte[(int) (4 * MIB)];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.readFully(head);
        }
        assertArrayEquals(new byte[head.length], head, "allocated-ahead blocks read as zeros");
    }

    @Test
    void manyZeroStretchesArePunchedInBatches() throws Exception {
        Path file = dir.resolve("many.raw");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(128 * MIB);
        }
        int stretches = RawPreallocation.MAX_PENDING * 2 + 10; // 8202 stretches in 64 MiB
        try (RawPreallocation p = RawPreallocation.allocate(file, List.of(new Extent(0, 64 * MIB),
                new Extent(64 * MIB, 64 * MIB)))) {
            for (int i = 0; i < stretches; i++) {
                p.zeros(i * 8192L, 4096); // every other 4 KiB block
            }
            p.finish();
            assertEquals(stretches * 4096L, p.punchedBytes());
        }
        long allocated = allocatedBytes(file);
        assertTrue(allocated >= 128 * MIB - stretches * 4096L, "allocated " + allocated);
        // ext4 spends a few blocks on the extent tree of so fragmented a file
        assertTrue(allocated <= 128 * MIB - stretches * 4096L + 256 * 1024, "allocated " + allocated);
    }

    /**
     * A raw copy of small extents holding zero stretches: as sparse as the data (the zeros
     * allocated ahead were given back) and identical to the source.
     */
    @Test
    void rawCopyOfExtentsWithZerosInsideStaysSparse() throws Exception {
        Path src = dir.resolve("src.raw");
        Random r = new Random(11);
        long data = 0;
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
            f.setLength(256 * MIB);
            for (int e = 0; e < 16; e++) {
                long base = e * 16 * MIB;
                byte[] block = new byte[(int) (4 * MIB)]; // a 4 MiB extent...
                for (int b = 0; b < block.length; b += 4096) {
                    if ((b / 4096) % 3 != 0) {             // ...a third of it zero blocks
                        byte[] chunk = new byte[4096];
                        r.nextBytes(chunk);
                        System.arraycopy(chunk, 0, block, b, 4096);
                        data += 4096;
                    }
                }
                f.seek(base);
                f.write(block);
            }
        }
        Path out = dir.resolve("out.raw");
        Path plain = dir.resolve("plain.raw");
        try (BlockDevice dev = RawFileDevice.openReadOnly(src)) {
            CopyResult result = DiskCopier.copy(dev, out, OutputFormat.RAW, CopyOptions.DEFAULT, ProgressListener.NONE);
            assertEquals(data, result.dataBytes());
            DiskCopier.copy(dev, plain, OutputFormat.RAW, new CopyOptions(false, false, false), ProgressListener.NONE);
        }
        long allocated = allocatedBytes(out);
        // The non-zero blocks, plus the few blocks of ext4's extent tree for ~5,000 extents.
        assertTrue(allocated >= data && allocated <= data + 512 * 1024, "allocated " + allocated + ", data " + data);
        assertTrue(Math.abs(allocated - allocatedBytes(plain)) <= 256 * 1024,
                "as sparse as a page-cache copy: " + allocated + " against " + allocatedBytes(plain));
        assertTrue(allocatedBytes(src) > data, "the source has the zero blocks allocated");
        QemuImg.assertIdentical(src, out, "raw");
    }
}
