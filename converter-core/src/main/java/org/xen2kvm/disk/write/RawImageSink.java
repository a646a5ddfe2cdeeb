package org.xen2kvm.disk.write;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A sparse raw image: the file gets the full size as a hole and only data is written. */
final class RawImageSink implements ImageSink {
    /** Zero blocks of one page become holes, as {@code qemu-img convert -S 4k} does. */
    private static final int GRANULE = 4096;

    private final OutputWriter writer;
    private final long virtualSize;
    private long bytesWritten;

    RawImageSink(AtomicOutput out, long virtualSize) throws IOException {
        this.writer = out.writer();
        this.virtualSize = virtualSize;
        out.setLength(virtualSize);
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
    public void finish() {
        // Nothing: the length was set up front, and raw has no metadata.
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
