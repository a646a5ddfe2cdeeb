package org.xen2kvm.image.write;

import org.xen2kvm.image.qcow2.Qcow2Format;

import org.xen2kvm.image.ProgressListener;

import org.xen2kvm.image.ProgressEvent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.Cancellation;
import org.xen2kvm.CancelledException;
import org.xen2kvm.WarmUp;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.Extent;

/**
 * Copies a block device into a new raw or qcow2 image in one sequential pass: only the
 * source's allocated extents are read, all-zero blocks inside them are skipped, and memory
 * use is a few fixed buffers whatever the disk size.
 */
public final class DiskCopier {
    /**
     * Reads are this large (and aligned to it where the extents allow). Data goes out in
     * writes of up to this size too, one at a time, while the next chunk is read: 16 MiB
     * direct writes kept this VM's disk as busy as two 16 MiB writes in flight, and 4 MiB
     * ones were 30% slower.
     */
    static final int CHUNK = 16 << 20;
    /** Extents are widened to this alignment so qcow2 clusters are never split. */
    private static final int ALIGN = Qcow2Format.CLUSTER_SIZE;

    private DiskCopier() {
    }

    /**
     * Loads the classes a copy uses, for a command that wants it done on a spare CPU while it
     * parses its arguments; see {@link WarmUp}.
     */
    public static void warmUp() {
        WarmUp.initialize(CopyOptions.class, CopyResult.class, OutputFormat.class, AtomicOutput.class,
                BackgroundFlusher.class, OutputWriter.class, RawPreallocation.class, IoBuffer.class, ChunkReader.class, ChunkReader.Chunk.class, ZeroCheck.class,
                Qcow2ImageSink.class, RefcountTracker.class, RawImageSink.class, FileWrites.class,
                ProgressThrottle.class, ProgressEvent.class, OutputExistsException.class, Extent.class);
    }

    /**
     * Writes {@code source} to {@code destination} in {@code format}, stopping when this
     * process is interrupted ({@link Cancellation#process()}).
     *
     * @throws OutputExistsException when the destination exists and {@code options.force()} is false
     * @throws CancelledException    when the process was interrupted; no output is left behind
     * @throws IOException           when reading the source or writing fails; no output is left behind
     */
    public static CopyResult copy(BlockDevice source, Path destination, OutputFormat format,
            CopyOptions options, ProgressListener listener) throws IOException {
        return copy(source, destination, format, options, listener, Cancellation.process());
    }

    /**
     * Writes {@code source} to {@code destination} in {@code format}; {@code cancellation} is
     * checked once per chunk read (16 MiB), so a copy stops within a chunk's time of it.
     *
     * @throws OutputExistsException when the destination exists and {@code options.force()} is false
     * @throws CancelledException    when {@code cancellation} was set; no output is left behind
     * @throws IOException           when reading the source or writing fails; no output is left behind
     */
    public static CopyResult copy(BlockDevice source, Path destination, OutputFormat format,
            CopyOptions options, ProgressListener listener, Cancellation cancellation) throws IOException {
        long startNanos = System.nanoTime();
        long size = source.size();
        List<Extent> extents = alignedExtents(source);
        ProgressThrottle progress = new ProgressThrottle(listener, size, destination.getFileName().toString());
        // A raw image's writes run side by side (see RawPreallocation); a qcow2 image's extend the file.
        int writers = format == OutputFormat.RAW ? OutputWriter.PARALLEL_WRITERS : OutputWriter.WRITERS;
        try (AtomicOutput out = AtomicOutput.create(destination, options.force(), options.directWrites(), writers)) {
            ImageSink sink = format == OutputFormat.RAW
                    ? new RawImageSink(out, size, extents)
                    : new Qcow2ImageSink(out.writer(), size, options.compress());
            long dataBytes;
            try {
                dataBytes = pump(source, extents, sink, progress, cancellation);
                sink.finish();
            } finally {
                sink.close();
            }
            out.commit();
            progress.finish();
            return new CopyResult(sink.virtualSize(), sink.bytesWritten(), dataBytes,
                    Duration.ofNanos(System.nanoTime() - startNanos));
        }
    }

    /** The source's extents, checked, widened to {@link #ALIGN} and merged. */
    static List<Extent> alignedExtents(BlockDevice source) throws IOException {
        long size = source.size();
        List<Extent> result = new ArrayList<>();
        long lastEnd = 0;
        for (Extent e : source.allocatedExtents()) {
            if (e.offset() < lastEnd && !result.isEmpty() || e.end() > size || e.end() < e.offset()) {
                throw new IOException(source.describe() + ": allocated extent " + e.offset() + "+" + e.length()
                        + " is unsorted or outside the device of " + size + " bytes");
            }
            if (e.length() == 0) {
                continue;
            }
            long start = e.offset() / ALIGN * ALIGN;
            long end = Math.min(size, (e.end() + ALIGN - 1) / ALIGN * ALIGN);
            Extent last = result.isEmpty() ? null : result.get(result.size() - 1);
            if (last != null && start <= last.end()) {
                result.set(result.size() - 1, new Extent(last.offset(), Math.max(last.end(), end) - last.offset()));
            } else {
                result.add(new Extent(start, end - start));
            }
            lastEnd = e.end();
        }
        return result;
    }

    /** Reads the extents and hands every run of non-zero granules to the sink. */
    private static long pump(BlockDevice source, List<Extent> extents, ImageSink sink, ProgressThrottle progress,
            Cancellation cancellation) throws IOException {
        int granule = sink.granuleSize();
        long dataBytes = 0;
        try (ChunkReader reader = new ChunkReader(source, extents, CHUNK)) {
            ChunkReader.Chunk chunk;
            while ((chunk = reader.next()) != null) {
                cancellation.check("copying " + source.describe() + " at byte " + chunk.offset());
                ByteBuffer buf = chunk.buffer();
                int len = buf.remaining();
                int runStart = -1;
                int zeroStart = -1;
                for (int p = 0; p < len; p += granule) {
                    int n = Math.min(granule, len - p);
                    boolean zero = ZeroCheck.isZero(buf, p, n);
                    if (!zero && runStart < 0) {
                        runStart = p;
                        if (zeroStart >= 0) {
                            sink.zeros(chunk.offset() + zeroStart, p - zeroStart);
                            zeroStart = -1;
                        }
                    } else if (zero && zeroStart < 0) {
                        zeroStart = p;
                        if (runStart >= 0) {
                            sink.write(chunk.offset() + runStart, buf.slice(runStart, p - runStart));
                            dataBytes += p - runStart;
                            runStart = -1;
                        }
                    }
                }
                if (runStart >= 0) {
                    sink.write(chunk.offset() + runStart, buf.slice(runStart, len - runStart));
                    dataBytes += len - runStart;
                } else if (zeroStart >= 0) {
                    sink.zeros(chunk.offset() + zeroStart, len - zeroStart);
                }
                reader.release(chunk);
                progress.update(chunk.offset() + len);
            }
        }
        return dataBytes;
    }
}
