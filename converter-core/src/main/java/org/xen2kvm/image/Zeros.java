package org.xen2kvm.image;

import java.nio.ByteBuffer;

/** Writes runs of zero bytes into buffers without per-byte loops. */
public final class Zeros {
    private static final byte[] ZEROS = new byte[64 * 1024];

    private Zeros() {
    }

    /** Puts {@code length} zero bytes at the buffer's position, advancing it. */
    public static void fill(ByteBuffer dst, long length) {
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(left, ZEROS.length);
            dst.put(ZEROS, 0, n);
            left -= n;
        }
    }
}
