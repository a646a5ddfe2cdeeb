package org.xen2kvm.image.write;

import org.xen2kvm.image.ProgressListener;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.RawFileDevice;

class OutputWriterTest {
    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * The test directory is on the build machine's disk (ext4 in CI), which takes O_DIRECT:
     * aligned writes must go that way, unaligned ones through the page cache, and the file
     * must hold exactly what was written either way.
     */
    @Test
    void alignedWritesBypassThePageCacheAndTheRestDoNot() throws Exception {
        Path file = dir.resolve("out.img");
        byte[] aligned = random(3 * 4096, 1);
        byte[] unaligned = random(1000, 2);
        byte[] heap = random(8192, 3);
        try (AtomicOutput out = AtomicOutput.create(dir.resolve("out.img"), false, true)) {
            OutputWriter w = out.writer();
            assertTrue(w.isDirect(), "the test directory's file system should take O_DIRECT");
            ByteBuffer direct = IoBuffer.pageAligned(aligned.length);
            direct.put(aligned).flip();
            w.write(direct, 65536);
            assertEquals(aligned.length, w.directBytes());
            w.write(ByteBuffer.wrap(unaligned), 100000); // offset and length unaligned
            assertEquals(aligned.length, w.directBytes());
            ByteBuffer offByOne = IoBuffer.pageAligned(8192 + 4096);
            offByOne.position(1).limit(1 + 4096);
            w.write(offByOne, 0); // memory not aligned: staged in aligned memory all the same
            assertEquals(aligned.length + 4096, w.directBytes());
            w.write(ByteBuffer.wrap(heap), 131072); // heap memory: staged too
            assertEquals(aligned.length + 4096 + heap.length, w.directBytes());
            out.commit();
        }
        byte[] content = Files.readAllBytes(file);
        assertEquals(131072 + heap.length, content.length);
        assertArrayEquals(aligned, java.util.Arrays.copyOfRange(content, 65536, 65536 + aligned.length));
        assertArrayEquals(unaligned, java.util.Arrays.copyOfRange(content, 100000, 101000));
        assertArrayEquals(heap, java.util.Arrays.copyOfRange(content, 131072, 131072 + heap.length));
        byte[] expectedOffByOne = new byte[4096];
        assertArrayEquals(expectedOffByOne, java.util.Arrays.copyOfRange(content, 0, 4096));
        assertFalse(Files.exists(AtomicOutput.partOf(file)));
    }

    /** More than two staging buffers of consecutive data, then a jump: all of it lands in place. */
    @Test
    void longRunsAndJumpsAreWrittenInPlace() throws Exception {
        Path file = dir.resolve("long.img");
        int stage = OutputWriter.STAGE_SIZE;
        byte[] run = random(2 * stage + 3 * 65536, 7);
        byte[] later = random(65536, 8);
        try (AtomicOutput out = AtomicOutput.create(file, false, true)) {
            ByteBuffer data = IoBuffer.pageAligned(run.length);
            data.put(run).flip();
            for (int p = 0; p < run.length; p += 4 << 20) { // in pieces, as the copier hands them over
                int n = Math.min(4 << 20, run.length - p);
                out.writer().write(data.slice(p, n), 65536L + p);
            }
            out.writer().write(ByteBuffer.wrap(later), 1L << 30);
            out.commit();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            assertEquals((1L << 30) + later.length, f.length());
            byte[] got = new byte[run.length];
            f.seek(65536);
            f.readFully(got);
            assertArrayEquals(run, got);
            byte[] got2 = new byte[later.length];
            f.seek(1L << 30);
            f.readFully(got2);
            assertArrayEquals(later, got2);
        }
    }

    @Test
    void withoutDirectWritesEverythingGoesThroughThePageCache() throws Exception {
        try (AtomicOutput out = AtomicOutput.create(dir.resolve("b.img"), false, false)) {
            assertFalse(out.writer().isDirect());
            out.writer().write(ByteBuffer.wrap(new byte[4096]), 0);
            assertEquals(0, out.writer().directBytes());
        }
        assertFalse(Files.exists(dir.resolve("b.img.part")), "an uncommitted output is removed");
    }

    /** Direct and page-cache copies of a disk whose size is not a multiple of 4 KiB are the same bytes. */
    @Test
    void directAndBufferedCopiesAreIdentical() throws Exception {
        Path src = dir.resolve("src.raw");
        long size = 40L * 1024 * 1024 + 1536; // the tail block is partial
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
            f.setLength(size);
            f.seek(0);
            f.write(random(3 * 1024 * 1024, 4));
            f.seek(20L * 1024 * 1024 + 4096 * 3);
            f.write(random(5 * 1024 * 1024 + 77, 5));
            f.seek(size - 1000);
            f.write(random(1000, 6));
        }
        for (OutputFormat format : OutputFormat.values()) {
            Path direct = dir.resolve("direct." + format.label());
            Path buffered = dir.resolve("buffered." + format.label());
            try (BlockDevice dev = RawFileDevice.openReadOnly(src)) {
                DiskCopier.copy(dev, direct, format, new CopyOptions(false, false, true), ProgressListener.NONE);
                DiskCopier.copy(dev, buffered, format, new CopyOptions(false, false, false), ProgressListener.NONE);
            }
            assertArrayEquals(Files.readAllBytes(buffered), Files.readAllBytes(direct), format.label());
            QemuImg.assertIdentical(src, direct, format.label());
        }
    }
}
