package org.xen2kvm.image.write;

import java.nio.ByteBuffer;

/** Finds all-zero blocks using the JDK's vectorized mismatch. */
final class ZeroCheck {
    /** Largest block checked at once; callers check larger ranges in pieces. */
    static final int MAX = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(MAX).asReadOnlyBuffer();

    private ZeroCheck() {
    }

    /** True when {@code buf[pos, pos+len)} holds only zero bytes; {@code len <= MAX}. */
    static boolean isZero(ByteBuffer buf, int pos, int len) {
        return buf.slice(pos, len).mismatch(ZEROS.slice(0, len)) < 0;
    }
}
