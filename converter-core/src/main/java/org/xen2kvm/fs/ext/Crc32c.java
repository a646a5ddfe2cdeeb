package org.xen2kvm.fs.ext;

/**
 * CRC32C (Castagnoli) in the form ext4 chains it: the caller gives the running value and
 * gets it back without the final inversion, so {@code update(~0, a ++ b) ==
 * update(update(~0, a), b)} and an explicit {@code s_checksum_seed} can start a chain.
 * java.util.zip.CRC32C cannot be seeded, hence this small table implementation.
 */
final class Crc32c {
    /** Reflected Castagnoli polynomial. */
    private static final int POLY = 0x82F63B78;
    /**
     * Slicing-by-8 tables: {@code TABLES[k][b]} is the CRC of byte {@code b} followed by
     * {@code k} zero bytes. Eight bytes per step instead of one: a kernel install resolves
     * every path through checksummed directory blocks, and byte-wise CRC was a quarter of its CPU.
     */
    private static final int[][] TABLES = new int[8][256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
            }
            TABLES[0][i] = c;
        }
        for (int t = 1; t < 8; t++) {
            for (int i = 0; i < 256; i++) {
                int prev = TABLES[t - 1][i];
                TABLES[t][i] = (prev >>> 8) ^ TABLES[0][prev & 0xFF];
            }
        }
    }

    private Crc32c() {
    }

    static int update(int crc, byte[] data, int off, int len) {
        int[] t0 = TABLES[0];
        int[] t1 = TABLES[1];
        int[] t2 = TABLES[2];
        int[] t3 = TABLES[3];
        int[] t4 = TABLES[4];
        int[] t5 = TABLES[5];
        int[] t6 = TABLES[6];
        int[] t7 = TABLES[7];
        int c = crc;
        int i = off;
        int end = off + len;
        for (; end - i >= 8; i += 8) {
            c ^= (data[i] & 0xFF) | (data[i + 1] & 0xFF) << 8 | (data[i + 2] & 0xFF) << 16 | (data[i + 3] & 0xFF) << 24;
            c = t7[c & 0xFF] ^ t6[(c >>> 8) & 0xFF] ^ t5[(c >>> 16) & 0xFF] ^ t4[c >>> 24]
                    ^ t3[data[i + 4] & 0xFF] ^ t2[data[i + 5] & 0xFF] ^ t1[data[i + 6] & 0xFF] ^ t0[data[i + 7] & 0xFF];
        }
        for (; i < end; i++) {
            c = t0[(c ^ data[i]) & 0xFF] ^ (c >>> 8);
        }
        return c;
    }

    static int update(int crc, byte[] data) {
        return update(crc, data, 0, data.length);
    }

    static int updateInt(int crc, int value) {
        byte[] b = {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
        return update(crc, b);
    }

    static int updateLong(int crc, long value) {
        return updateInt(updateInt(crc, (int) value), (int) (value >>> 32));
    }
}
