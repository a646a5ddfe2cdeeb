package org.xen2kvm.xva;

/**
 * xxHash64 (XXH64) as specified in the xxHash repository's doc/xxhash_spec.md, used by
 * XCP-ng exports for chunk checksums ({@code .xxhash} entries).
 */
public final class Xxh64 {
    private static final long PRIME1 = 0x9E3779B185EBCA87L;
    private static final long PRIME2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME3 = 0x165667B19E3779F9L;
    private static final long PRIME4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME5 = 0x27D4EB2F165667C5L;
    /** Input is consumed in stripes of four 8-byte lanes. */
    private static final int STRIPE = 32;

    private Xxh64() {
    }

    /** XXH64 of {@code data[off, off+len)} with {@code seed}. */
    public static long hash(byte[] data, int off, int len, long seed) {
        int p = off;
        int end = off + len;
        long acc;
        if (len >= STRIPE) {
            long v1 = seed + PRIME1 + PRIME2;
            long v2 = seed + PRIME2;
            long v3 = seed;
            long v4 = seed - PRIME1;
            int limit = end - STRIPE;
            while (p <= limit) {
                v1 = round(v1, le64(data, p));
                v2 = round(v2, le64(data, p + 8));
                v3 = round(v3, le64(data, p + 16));
                v4 = round(v4, le64(data, p + 24));
                p += STRIPE;
            }
            acc = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            acc = merge(acc, v1);
            acc = merge(acc, v2);
            acc = merge(acc, v3);
            acc = merge(acc, v4);
        } else {
            acc = seed + PRIME5;
        }
        acc += len;
        while (end - p >= 8) {
            acc ^= round(0, le64(data, p));
            acc = Long.rotateLeft(acc, 27) * PRIME1 + PRIME4;
            p += 8;
        }
        if (end - p >= 4) {
            acc ^= (le32(data, p) & 0xFFFFFFFFL) * PRIME1;
            acc = Long.rotateLeft(acc, 23) * PRIME2 + PRIME3;
            p += 4;
        }
        while (p < end) {
            acc ^= (data[p] & 0xFFL) * PRIME5;
            acc = Long.rotateLeft(acc, 11) * PRIME1;
            p++;
        }
        acc ^= acc >>> 33;
        acc *= PRIME2;
        acc ^= acc >>> 29;
        acc *= PRIME3;
        acc ^= acc >>> 32;
        return acc;
    }

    /** The 16-digit lower-case hex form that {@code .xxhash} entries hold. */
    public static String hex(long hash) {
        String s = Long.toHexString(hash);
        return "0".repeat(16 - s.length()) + s;
    }

    private static long round(long acc, long lane) {
        return Long.rotateLeft(acc + lane * PRIME2, 31) * PRIME1;
    }

    private static long merge(long acc, long v) {
        return (acc ^ round(0, v)) * PRIME1 + PRIME4;
    }

    private static long le64(byte[] b, int p) {
        return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24
                | (b[p + 4] & 0xFFL) << 32 | (b[p + 5] & 0xFFL) << 40 | (b[p + 6] & 0xFFL) << 48 | (b[p + 7] & 0xFFL) << 56;
    }

    private static int le32(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
    }
}
