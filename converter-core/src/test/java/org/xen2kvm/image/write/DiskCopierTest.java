package org.xen2kvm.image.write;

import org.xen2kvm.image.ProgressListener;

import org.xen2kvm.image.ProgressEvent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xen2kvm.Cancellation;
import org.xen2kvm.CancelledException;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.ByteArrayBlockDevice;
import org.xen2kvm.image.Extent;
import org.xen2kvm.image.RawFileDevice;

class DiskCopierTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    /** The output variants every source is converted to. */
    enum Variant {
        RAW(OutputFormat.RAW, false), QCOW2(OutputFormat.QCOW2, false), QCOW2_COMPRESSED(OutputFormat.QCOW2, true);

        final OutputFormat format;
        final boolean compress;

        Variant(OutputFormat format, boolean compress) {
            this.format = format;
            this.compress = compress;
        }
    }

    @BeforeAll
    static void oracle() {
        QemuImg.require();
    }

    /** Writes random data (half of it compressible text) at the given offsets of a sparse file. */
    private static Path sparseImage(Path file, long size, long seed, long[][] dataRanges) throws IOException {
        Random rnd = new Random(seed);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
            for (long[] r : dataRanges) {
                byte[] b = new byte[(int) r[1]];
                rnd.nextBytes(b);
                if (rnd.nextBoolean()) {
                    byte[] text = ("block at " + r[0] + " of a test disk\n").repeat(b.length / 20 + 1)
                            .getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(text, 0, b, 0, b.length);
                }
                f.seek(r[0]);
                f.write(b);
            }
        }
        return file;
    }

    private CopyResult convertAndCheck(Path src, Variant v) throws Exception {
        Path out = dir.resolve(src.getFileName() + "." + v.name().toLowerCase());
        List<ProgressEvent> events = new ArrayList<>();
        CopyResult result;
        try (BlockDevice dev = RawFileDevice.openReadOnly(src)) {
            result = DiskCopier.copy(dev, out, v.format, new CopyOptions(false, v.compress), events::add);
        }
        long expectedSize = v.format == OutputFormat.RAW ? Files.size(src) : (Files.size(src) + 511) / 512 * 512;
        assertEquals(expectedSize, result.virtualSize());
        QemuImg.assertIdentical(src, out, v.format.label());
        if (v.format == OutputFormat.QCOW2) {
            QemuImg.assertCheckClean(out);
            QemuImg.Result info = QemuImg.run("info", "--output=json", out.toString());
            assertTrue(info.output().contains("\"virtual-size\": " + expectedSize), info.output());
            assertTrue(info.output().contains("\"compat\": \"1.1\""), info.output());
            assertTrue(info.output().contains("\"cluster-size\": 65536"), info.output());
            assertTrue(info.output().contains("\"refcount-bits\": 16"), info.output());
            assertTrue(info.output().contains("\"corrupt\": false"), info.output());
        } else {
            assertEquals(Files.size(src), Files.size(out));
        }
        assertFalse(Files.exists(AtomicOutput.partOf(out)));
        assertFalse(events.isEmpty());
        ProgressEvent last = events.get(events.size() - 1);
        assertEquals(last.bytesTotal(), last.bytesDone());
        assertTrue(last.complete());
        return result;
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void scatteredDataRoundTrips(Variant v) throws Exception {
        long size = 64L * MIB;
        Path src = sparseImage(dir.resolve("scattered.raw"), size, 1, new long[][] {
            {0, 4096}, {65536 + 512, 100}, {3 * MIB, 2 * MIB + 17}, {20 * MIB - 10, 20},
            {40 * MIB + 4096 * 3, 4096}, {size - 1000, 1000}});
        CopyResult r = convertAndCheck(src, v);
        assertTrue(r.dataBytes() > 0 && r.dataBytes() < size, "data " + r.dataBytes());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void allZeroDiskStoresNoData(Variant v) throws Exception {
        Path src = sparseImage(dir.resolve("zero.raw"), 32L * MIB, 2, new long[0][]);
        CopyResult r = convertAndCheck(src, v);
        assertEquals(0, r.dataBytes());
        Path out = dir.resolve("zero.raw." + v.name().toLowerCase());
        assertTrue(allocatedBytes(out) <= 4L * 65536, "allocated " + allocatedBytes(out));
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void emptyDisk(Variant v) throws Exception {
        Path src = sparseImage(dir.resolve("empty.raw"), 0, 9, new long[0][]);
        CopyResult r = convertAndCheck(src, v);
        assertEquals(0, r.virtualSize());
    }

    @Test
    void enoughDataForBackgroundFlushes() throws Exception {
        // More than two flush intervals of data, so the background flusher runs during the copy.
        long data = 2 * BackgroundFlusher.FLUSH_EVERY + 5 * MIB;
        long size = data + 64L * MIB;
        Path src = sparseImage(dir.resolve("flush.raw"), size, 10, new long[][] {{32L * MIB, data}});
        CopyResult r = convertAndCheck(src, Variant.QCOW2);
        assertEquals(data, r.dataBytes());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void sizeNotMultipleOfCluster(Variant v) throws Exception {
        // Not even a multiple of 512: qcow2 rounds up to whole sectors as qemu-img does.
        long size = 10L * MIB + 12345;
        Path src = sparseImage(dir.resolve("odd.raw"), size, 3, new long[][] {{MIB, 5000}, {size - 300, 300}});
        convertAndCheck(src, v);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void largeSparseDisk(Variant v) throws Exception {
        long size = (1L << 30) + 3 * 65536 + 7;
        // Data in three different L2 tables (each maps 512 MiB).
        Path src = sparseImage(dir.resolve("big.raw"), size, 4, new long[][] {
            {0, MIB}, {600L * MIB, 3 * MIB}, {size - 70_000, 70_000}});
        convertAndCheck(src, v);
        Path out = dir.resolve("big.raw." + v.name().toLowerCase());
        assertTrue(allocatedBytes(out) < 16L * MIB, "output not sparse: " + allocatedBytes(out));
    }

    @Test
    void rawOutputIsSparse() throws Exception {
        long size = 256L * MIB;
        Path src = sparseImage(dir.resolve("holes.raw"), size, 5, new long[][] {{100L * MIB, MIB}});
        // Make the source itself dense so sparseness comes from zero detection, not the source.
        Path dense = dir.resolve("dense.raw");
        try (RandomAccessFile f = new RandomAccessFile(dense.toFile(), "rw")) {
            byte[] buf = new byte[MIB];
            try (RandomAccessFile in = new RandomAccessFile(src.toFile(), "r")) {
                for (long off = 0; off < size; off += MIB) {
                    in.readFully(buf);
                    f.write(buf);
                }
            }
        }
        assertTrue(allocatedBytes(dense) >= size);
        convertAndCheck(dense, Variant.RAW);
        long allocated = allocatedBytes(dir.resolve("dense.raw.raw"));
        assertTrue(allocated <= 2L * MIB, "allocated " + allocated);
    }

    @Test
    void readsOnlyAllocatedExtents() throws Exception {
        byte[] data = new byte[8 * MIB];
        new Random(6).nextBytes(data);
        // Bytes outside the declared extents must read as zero in the output even though the
        // backing array holds data there: the copier trusts allocatedExtents().
        BlockDevice dev = new ExtentDevice(new ByteArrayBlockDevice(data, "mem"),
                List.of(new Extent(100_000, 5_000), new Extent(3 * MIB, MIB)));
        Path out = dir.resolve("extents.qcow2");
        CopyResult r = DiskCopier.copy(dev, out, OutputFormat.QCOW2, CopyOptions.DEFAULT, ProgressListener.NONE);
        QemuImg.assertCheckClean(out);
        Path expected = dir.resolve("expected.raw");
        byte[] exp = new byte[data.length];
        // Whole 64 KiB clusters around each extent are copied.
        System.arraycopy(data, 65536, exp, 65536, 65536);
        System.arraycopy(data, 3 * MIB, exp, 3 * MIB, MIB);
        Files.write(expected, exp);
        QemuImg.assertIdentical(expected, out, "qcow2");
        assertEquals(65536L + MIB, r.dataBytes());
    }

    @Test
    void existingOutputIsRefusedWithoutForce() throws Exception {
        Path out = dir.resolve("exists.qcow2");
        Files.writeString(out, "keep me");
        BlockDevice dev = new ByteArrayBlockDevice(MIB);
        OutputExistsException e = assertThrows(OutputExistsException.class,
                () -> DiskCopier.copy(dev, out, OutputFormat.QCOW2, CopyOptions.DEFAULT, ProgressListener.NONE));
        assertEquals(out + ": output file already exists; remove it or pass --force to replace it", e.getMessage());
        assertEquals("keep me", Files.readString(out));
        assertFalse(Files.exists(AtomicOutput.partOf(out)));

        DiskCopier.copy(dev, out, OutputFormat.QCOW2, new CopyOptions(true, false), ProgressListener.NONE);
        QemuImg.assertCheckClean(out);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void failingSourceLeavesNothing(Variant v) throws Exception {
        int chunk = DiskCopier.CHUNK;
        byte[] data = new byte[3 * chunk];
        new Random(7).nextBytes(data);
        BlockDevice failing = new ExtentDevice(new ByteArrayBlockDevice(data, "mem"), List.of(new Extent(0, data.length))) {
            @Override
            public void read(long offset, ByteBuffer dst) throws IOException {
                if (offset >= chunk + MIB) {
                    throw new IOException("mem: injected read error at " + offset);
                }
                super.read(offset, dst);
            }
        };
        Path out = dir.resolve("failed." + v.format.label());
        IOException e = assertThrows(IOException.class,
                () -> DiskCopier.copy(failing, out, v.format, new CopyOptions(false, v.compress), ProgressListener.NONE));
        assertEquals("mem: injected read error at " + (2L * chunk), e.getMessage());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(AtomicOutput.partOf(out)));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    /**
     * A cancellation arriving part-way through a copy (here when the reader reaches the
     * fourth chunk of 64) stops it within a few chunks and leaves no output and no .part.
     */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void cancelledCopyStopsWithinAFewChunksAndLeavesNothing(Variant v) throws Exception {
        long chunk = DiskCopier.CHUNK;
        long size = 64 * chunk;
        Cancellation cancellation = new Cancellation();
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        // 1 GiB of data made up as it is read: no array that large in a unit test.
        BlockDevice big = new BlockDevice() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public void read(long offset, ByteBuffer dst) {
                if (offset >= 3 * chunk) {
                    cancellation.cancel("SIGTERM");
                }
                read.addAndGet(dst.remaining());
                while (dst.hasRemaining()) {
                    dst.put((byte) (offset + dst.position() | 1));
                }
            }

            @Override
            public String describe() {
                return "generated";
            }

            @Override
            public void close() {
            }
        };
        Path out = dir.resolve("cancelled." + v.format.label());
        CancelledException e = assertThrows(CancelledException.class, () -> DiskCopier.copy(big, out, v.format,
                new CopyOptions(false, v.compress), ProgressListener.NONE, cancellation));
        assertEquals("SIGTERM", e.reason());
        assertTrue(e.getMessage().startsWith("interrupted (SIGTERM) while copying generated at byte "), e.getMessage());
        // The reader runs at most its three buffers ahead of the chunk being checked.
        assertTrue(read.get() <= 8 * chunk, read.get() + " bytes read after the cancellation at " + 3 * chunk);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void progressIsThrottled() throws Exception {
        Path src = sparseImage(dir.resolve("p.raw"), 64L * MIB, 8, new long[][] {{0, 8 * MIB}});
        List<ProgressEvent> events = new ArrayList<>();
        long start = System.nanoTime();
        try (BlockDevice dev = RawFileDevice.openReadOnly(src)) {
            DiskCopier.copy(dev, dir.resolve("p.qcow2"), OutputFormat.QCOW2, CopyOptions.DEFAULT, events::add);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(events.size() <= 2 + seconds * 10, events.size() + " events in " + seconds + " s");
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).bytesDone() >= events.get(i - 1).bytesDone());
        }
        assertEquals(64L * MIB, events.get(events.size() - 1).bytesDone());
    }

    /** Blocks allocated on disk, as {@code stat -c %b} times 512 reports. */
    static long allocatedBytes(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertEquals(0, p.waitFor());
        return Long.parseLong(s) * 512;
    }

    /** A device that declares only some extents as allocated. */
    static class ExtentDevice implements BlockDevice {
        private final BlockDevice inner;
        private final List<Extent> extents;

        ExtentDevice(BlockDevice inner, List<Extent> extents) {
            this.inner = inner;
            this.extents = extents;
        }

        @Override
        public long size() {
            return inner.size();
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            inner.read(offset, dst);
        }

        @Override
        public List<Extent> allocatedExtents() {
            return extents;
        }

        @Override
        public String describe() {
            return inner.describe();
        }
    }
}
