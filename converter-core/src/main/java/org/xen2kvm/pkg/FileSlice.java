package org.xen2kvm.pkg;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.tukaani.xz.SeekableInputStream;

/**
 * Reads bytes {@code [start, start + length)} of a file, and nothing past them. Positional
 * reads, so slices of one channel can be read by several threads at once; seekable, as xz's
 * block-parallel reader needs.
 */
final class FileSlice extends SeekableInputStream {
    private final FileChannel ch;
    private final boolean owner;
    private final long start;
    private final long length;
    private long pos;

    /** @param owner close {@code ch} with this stream */
    FileSlice(FileChannel ch, long start, long length, boolean owner) {
        this.ch = ch;
        this.owner = owner;
        this.start = start;
        this.length = length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos >= length) {
            return -1;
        }
        int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, length - pos)), start + pos);
        if (n > 0) {
            pos += n;
        }
        return n;
    }

    @Override
    public long skip(long n) {
        long k = Math.max(0, Math.min(n, length - pos));
        pos += k;
        return k;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, length - pos));
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public long position() {
        return pos;
    }

    @Override
    public void seek(long p) throws IOException {
        if (p < 0) {
            throw new IOException("negative seek " + p + " in a slice of " + length + " bytes");
        }
        pos = p;
    }

    @Override
    public void close() throws IOException {
        if (owner) {
            ch.close();
        }
    }
}
