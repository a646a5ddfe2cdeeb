package org.xen2kvm.pkg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Reads bytes {@code [start, start + length)} of a file, and nothing past them. */
final class FileSlice extends InputStream {
    private final FileChannel ch;
    private final boolean owner;
    private long pos;
    private final long end;

    /** @param owner close {@code ch} with this stream */
    FileSlice(FileChannel ch, long start, long length, boolean owner) {
        this.ch = ch;
        this.owner = owner;
        this.pos = start;
        this.end = start + length;
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
        if (pos >= end) {
            return -1;
        }
        int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
        if (n > 0) {
            pos += n;
        }
        return n;
    }

    @Override
    public long skip(long n) {
        long k = Math.max(0, Math.min(n, end - pos));
        pos += k;
        return k;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, end - pos);
    }

    @Override
    public void close() throws IOException {
        if (owner) {
            ch.close();
        }
    }
}
