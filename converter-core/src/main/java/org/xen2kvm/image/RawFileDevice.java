package org.xen2kvm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.xen2kvm.image.DiskFormat;

/** A raw image file or host block device, opened read-only unless asked otherwise. */
public final class RawFileDevice implements FormatImage {
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

    /**
     * Loads the native access used to find a sparse file's data (JNA and libc), which takes
     * around 0.1 s. Optional: without it the first open of a raw file does it.
     */
    public static void warmUp() {
        NativeSeek.available();
    }

    /** Opens a file or block device for reading only: the source is never written. */
    public static RawFileDevice openReadOnly(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        return new RawFileDevice(path, ch, sizeOf(path, ch), false);
    }

    /** Opens an output image for reading and writing. */
    public static RawFileDevice openWritable(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new RawFileDevice(path, ch, sizeOf(path, ch), true);
    }

    private static long sizeOf(Path path, FileChannel ch) throws IOException {
        // FileChannel.size() is 0 for block devices; the end position is their size.
        long s = ch.size();
        if (s == 0 && !Files.isRegularFile(path)) {
            s = NativeSeek.endOffset(path).orElse(0);
        }
        return s;
    }

    /** True for a host block device ({@code phy:}), which is always treated as fully allocated. */
    public boolean isBlockDevice() {
        return !Files.isRegularFile(path);
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

    /**
     * The file's data extents from SEEK_DATA/SEEK_HOLE; the whole file for block devices or
     * when the host cannot tell. Not cached: a writable file changes.
     */
    @Override
    public List<Extent> allocatedExtents() throws IOException {
        if (size == 0) {
            return List.of();
        }
        if (!isBlockDevice()) {
            List<Extent> map = NativeSeek.dataExtents(path, size);
            if (map != null) {
                return map;
            }
        }
        return List.of(new Extent(0, size));
    }

    @Override
    public DiskFormat format() {
        return DiskFormat.RAW;
    }

    @Override
    public RawFileDevice file() {
        return this;
    }

    @Override
    public FormatImage backing() {
        return null;
    }

    @Override
    public Map<String, String> details() {
        return isBlockDevice() ? Map.of("host device", "block device") : Map.of();
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
