package org.xen2kvm.image;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A random-access array of bytes: a raw file, a decoded image format, a partition, a
 * logical volume or an overlay. Implementations are not required to be thread-safe.
 */
public interface BlockDevice extends Closeable {

    /** Size in bytes. */
    long size();

    /**
     * Reads exactly {@code dst.remaining()} bytes starting at {@code offset}.
     *
     * @throws IOException          on an I/O error or corrupt image data
     * @throws IllegalArgumentException when the range lies outside {@code [0, size())}
     */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** Writes {@code src.remaining()} bytes at {@code offset}; read-only devices refuse. */
    default void write(long offset, ByteBuffer src) throws IOException {
        throw new IOException(describe() + ": device is read-only");
    }

    default boolean isWritable() {
        return false;
    }

    /**
     * The extents that may hold non-zero data, sorted and non-overlapping; everything else
     * reads as zeros. The default is the whole device.
     */
    default List<Extent> allocatedExtents() throws IOException {
        return List.of(new Extent(0, size()));
    }

    /** Pushes written data to stable storage where that applies. */
    default void flush() throws IOException {
    }

    /** A short name for messages: the file path, or format and path. */
    String describe();

    @Override
    default void close() throws IOException {
    }

    /** Convenience: reads {@code length} bytes at {@code offset} into a new array. */
    default byte[] readBytes(long offset, int length) throws IOException {
        byte[] b = new byte[length];
        read(offset, ByteBuffer.wrap(b));
        return b;
    }

    /** Checks a request against the device size, throwing the standard message. */
    static void checkRange(BlockDevice dev, long offset, long length) {
        if (offset < 0 || length < 0 || offset > dev.size() - length) {
            throw new IllegalArgumentException(dev.describe() + ": access " + offset + "+" + length
                    + " outside device of " + dev.size() + " bytes");
        }
    }
}
