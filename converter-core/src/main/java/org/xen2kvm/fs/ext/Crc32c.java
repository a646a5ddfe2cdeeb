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
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    private Crc32c() {
    }

    static int update(int crc, byte[] data, int off, int len) {
        int c = crc;
        for (int i = off; i < off + len; i++) {
            c = TABLE[(c ^ data[i]) & 0xFF] ^ (c >>> 8);
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
