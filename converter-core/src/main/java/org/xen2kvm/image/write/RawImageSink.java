package org.xen2kvm.image.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.xen2kvm.image.Extent;

/** A sparse raw image: the file gets the full size as a hole and only data is written. */
final class RawImageSink implements ImageSink {
    /** Zero blocks of one page become holes, as {@code qemu-img convert -S 4k} does. */
    private static final int GRANULE = 4096;

    private final OutputWriter writer;
    private final long virtualSize;
    private final RawPreallocation preallocation;
    private long bytesWritten;

    /**
     * A raw image of {@code virtualSize} bytes in {@code out}, whose data will come from
     * {@code extents} (sorted, disjoint, 64 KiB aligned); with direct writes their blocks
     * are allocated ahead (see {@link RawPreallocation}).
     */
    RawImageSink(AtomicOutput out, long virtualSize, List<Extent> extents) throws IOException {
        this.writer = out.writer();
        this.virtualSize = virtualSize;
        out.setLength(virtualSize);
        this.preallocation = writer.isDirect() ? RawPreallocation.allocate(out.part(), extents) : RawPreallocation.none();
    }

    @Override
    public int granuleSize() {
        return GRANULE;
    }

    @Override
    public void write(long offset, ByteBuffer data) throws IOException {
        bytesWritten += data.remaining();
        writer.write(data, offset);
    }

    @Override
    public void zeros(long offset, long length) {
        preallocation.zeros(offset, length);
    }

    @Override
    public void finish() {
        // The length was set up front, and raw has no metadata: only blocks allocated ahead
        // for zeros are given back.
        preallocation.finish();
    }

    @Override
    public void close() {
        preallocation.close();
    }

    @Override
    public long virtualSize() {
        return virtualSize;
    }

    @Override
    public long bytesWritten() {
        return bytesWritten;
    }
}
