package org.xen2kvm.fs.ext;

/**
 * The CRC16 (polynomial 0x8005, bit-reflected) that the older {@code gdt_csum} feature uses
 * for group descriptors; the running value is passed in and returned uninverted.
 */
final class Crc16 {
    private static final int POLY_REFLECTED = 0xA001;
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    private Crc16() {
    }

    static int update(int crc, byte[] data, int off, int len) {
        int c = crc & 0xFFFF;
        for (int i = off; i < off + len; i++) {
            c = ((c >>> 8) ^ TABLE[(c ^ data[i]) & 0xFF]) & 0xFFFF;
        }
        return c;
    }
}
