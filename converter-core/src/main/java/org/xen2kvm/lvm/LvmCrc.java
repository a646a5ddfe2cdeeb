package org.xen2kvm.lvm;

/**
 * The LVM2 checksum ({@code lib/misc/crc.c} calc_crc): CRC-32 with the reflected polynomial
 * 0xEDB88320, seeded with {@link LvmConstants#INITIAL_CRC} and without the final inversion.
 */
final class LvmCrc {
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xEDB88320 : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    private LvmCrc() {
    }

    /** Continues {@code crc} over {@code len} bytes of {@code b} from {@code off}. */
    static int update(int crc, byte[] b, int off, int len) {
        int c = crc;
        for (int i = off; i < off + len; i++) {
            c = (c >>> 8) ^ TABLE[(c ^ b[i]) & 0xff];
        }
        return c;
    }

    static int of(byte[] b, int off, int len) {
        return update(LvmConstants.INITIAL_CRC, b, off, len);
    }
}
