package org.xen2kvm.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A raw image file or host block device, opened read-only unless asked otherwise. */
public final class RawFileDevice implements BlockDevice {
    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final boolean writable;

    private RawFileDevice(Path path, FileChannel channel, long size, boolean writable) {
        this.path = path;
        this.channel = channel;
        this.size = size;
        this.writable = writable;
    }

    /** Opens a file or block device for reading only: the source is never written. */
    public static RawFileDevice openReadOnly(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        return new RawFileDevice(path, ch, sizeOf(ch), false);
    }

    /** Opens an output image for reading and writing. */
    public static RawFileDevice openWritable(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new RawFileDevice(path, ch, sizeOf(ch), true);
    }

    private static long sizeOf(FileChannel ch) throws IOException {
        // FileChannel.size() is 0 for block devices; the end position is their size.
        long s = ch.size();
        return s;
    }

    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        BlockDevice.checkRange(this, offset, dst.remaining());
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new IOException(path + ": unexpected end of file at offset " + pos);
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        if (!writable) {
            throw new IOException(path + ": opened read-only");
        }
        BlockDevice.checkRange(this, offset, src.remaining());
        long pos = offset;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void flush() throws IOException {
        if (writable) {
            channel.force(false);
        }
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
