package org.xen2kvm.pkg;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Fails once more than a set number of bytes came out of a decompressor, so that a small
 * hostile package cannot make xen2kvm inflate without end.
 */
final class CappedInputStream extends FilterInputStream {
    private final Path file;
    private final String what;
    private final long cap;
    private long count;

    CappedInputStream(InputStream in, Path file, String what, long cap) {
        super(in);
        this.file = file;
        this.what = what;
        this.cap = cap;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            add(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Read rather than skip, so skipped bytes count too.
        byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 1 << 16)];
        int r = buf.length == 0 ? 0 : read(buf, 0, buf.length);
        return Math.max(r, 0);
    }

    private void add(int n) throws PackageFormatException {
        count += n;
        if (count > cap) {
            throw new PackageFormatException(file, what, "decompresses to more than " + cap + " bytes; refused as corrupt or hostile");
        }
    }
}
