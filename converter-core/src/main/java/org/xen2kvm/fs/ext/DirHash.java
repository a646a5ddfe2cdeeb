package org.xen2kvm.fs.ext;

/**
 * The name hashes of hashed (htree) directories (directory.rst, "Hash Tree Directories":
 * legacy, half-MD4 and TEA, each with signed or unsigned chars). Only the major hash is
 * needed to pick the leaf block a new name belongs in.
 */
final class DirHash {
    static final int LEGACY = 0;
    static final int HALF_MD4 = 1;
    static final int TEA = 2;
    static final int LEGACY_UNSIGNED = 3;
    static final int HALF_MD4_UNSIGNED = 4;
    static final int TEA_UNSIGNED = 5;
    /** Seed used when the superblock's s_hash_seed is all zeros. */
    private static final int[] DEFAULT_SEED = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    private static final int TEA_DELTA = 0x9E3779B9;
    /** Round constants of the half-MD4 rounds 2 and 3 (octal in the original description). */
    private static final int K2 = 013240474631;
    private static final int K3 = 015666365641;
    /** Largest major hash: 0xFFFFFFFE is reserved as the end-of-directory marker. */
    private static final int EOF_HASH = 0x7FFFFFFF << 1;

    private DirHash() {
    }

    /** The major hash of {@code name}, low bit cleared as stored in index entries. */
    static int hash(byte[] name, int version, int[] seed) {
        int[] buf = DEFAULT_SEED.clone();
        if (seed != null && (seed[0] | seed[1] | seed[2] | seed[3]) != 0) {
            buf = seed.clone();
        }
        int hash;
        switch (version) {
            case LEGACY, LEGACY_UNSIGNED -> hash = legacy(name, version == LEGACY_UNSIGNED);
            case HALF_MD4, HALF_MD4_UNSIGNED -> {
                int[] in = new int[8];
                for (int off = 0; off < name.length; off += 32) {
                    toWords(name, off, name.length - off, in, 8, version == HALF_MD4_UNSIGNED);
                    halfMd4(buf, in);
                }
                hash = buf[1];
            }
            case TEA, TEA_UNSIGNED -> {
                int[] in = new int[4];
                for (int off = 0; off < name.length; off += 16) {
                    toWords(name, off, name.length - off, in, 4, version == TEA_UNSIGNED);
                    tea(buf, in);
                }
                hash = buf[0];
            }
            default -> throw new IllegalArgumentException("unknown directory hash version " + version);
        }
        hash &= ~1;
        if (hash == EOF_HASH) {
            hash = (0x7FFFFFFF - 1) << 1;
        }
        return hash;
    }

    private static int legacy(byte[] name, boolean unsigned) {
        int hash0 = 0x12a3fe2d;
        int hash1 = 0x37abe8f9;
        for (byte b : name) {
            int c = unsigned ? b & 0xFF : b;
            int h = hash1 + (hash0 ^ (c * 7152373));
            if ((h & 0x80000000) != 0) {
                h -= 0x7fffffff;
            }
            hash1 = hash0;
            hash0 = h;
        }
        return hash0 << 1;
    }

    /** Packs up to {@code num} words of the name, padded with a pattern made from the remaining length. */
    private static void toWords(byte[] msg, int off, int len, int[] out, int num, boolean unsigned) {
        int pad = len | (len << 8);
        pad |= pad << 16;
        int val = pad;
        int n = Math.min(len, num * 4);
        int w = 0;
        int left = num;
        for (int i = 0; i < n; i++) {
            int c = unsigned ? msg[off + i] & 0xFF : msg[off + i];
            val = c + (val << 8);
            if (i % 4 == 3) {
                out[w++] = val;
                val = pad;
                left--;
            }
        }
        if (--left >= 0) {
            out[w++] = val;
        }
        while (--left >= 0) {
            out[w++] = pad;
        }
    }

    private static int f(int x, int y, int z) {
        return z ^ (x & (y ^ z));
    }

    private static int g(int x, int y, int z) {
        return (x & y) + ((x ^ y) & z);
    }

    private static int h(int x, int y, int z) {
        return x ^ y ^ z;
    }

    private static void halfMd4(int[] buf, int[] in) {
        int a = buf[0];
        int b = buf[1];
        int c = buf[2];
        int d = buf[3];
        a = Integer.rotateLeft(a + f(b, c, d) + in[0], 3);
        d = Integer.rotateLeft(d + f(a, b, c) + in[1], 7);
        c = Integer.rotateLeft(c + f(d, a, b) + in[2], 11);
        b = Integer.rotateLeft(b + f(c, d, a) + in[3], 19);
        a = Integer.rotateLeft(a + f(b, c, d) + in[4], 3);
        d = Integer.rotateLeft(d + f(a, b, c) + in[5], 7);
        c = Integer.rotateLeft(c + f(d, a, b) + in[6], 11);
        b = Integer.rotateLeft(b + f(c, d, a) + in[7], 19);

        a = Integer.rotateLeft(a + g(b, c, d) + in[1] + K2, 3);
        d = Integer.rotateLeft(d + g(a, b, c) + in[3] + K2, 5);
        c = Integer.rotateLeft(c + g(d, a, b) + in[5] + K2, 9);
        b = Integer.rotateLeft(b + g(c, d, a) + in[7] + K2, 13);
        a = Integer.rotateLeft(a + g(b, c, d) + in[0] + K2, 3);
        d = Integer.rotateLeft(d + g(a, b, c) + in[2] + K2, 5);
        c = Integer.rotateLeft(c + g(d, a, b) + in[4] + K2, 9);
        b = Integer.rotateLeft(b + g(c, d, a) + in[6] + K2, 13);

        a = Integer.rotateLeft(a + h(b, c, d) + in[3] + K3, 3);
        d = Integer.rotateLeft(d + h(a, b, c) + in[7] + K3, 9);
        c = Integer.rotateLeft(c + h(d, a, b) + in[2] + K3, 11);
        b = Integer.rotateLeft(b + h(c, d, a) + in[6] + K3, 15);
        a = Integer.rotateLeft(a + h(b, c, d) + in[1] + K3, 3);
        d = Integer.rotateLeft(d + h(a, b, c) + in[5] + K3, 9);
        c = Integer.rotateLeft(c + h(d, a, b) + in[0] + K3, 11);
        b = Integer.rotateLeft(b + h(c, d, a) + in[4] + K3, 15);

        buf[0] += a;
        buf[1] += b;
        buf[2] += c;
        buf[3] += d;
    }

    private static void tea(int[] buf, int[] in) {
        int sum = 0;
        int b0 = buf[0];
        int b1 = buf[1];
        int a = in[0];
        int b = in[1];
        int c = in[2];
        int d = in[3];
        for (int n = 0; n < 16; n++) {
            sum += TEA_DELTA;
            b0 += ((b1 << 4) + a) ^ (b1 + sum) ^ ((b1 >>> 5) + b);
            b1 += ((b0 << 4) + c) ^ (b0 + sum) ^ ((b0 >>> 5) + d);
        }
        buf[0] += b0;
        buf[1] += b1;
    }
}
