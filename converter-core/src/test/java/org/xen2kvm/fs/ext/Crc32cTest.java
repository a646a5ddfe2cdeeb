package org.xen2kvm.fs.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The chained, uninverted CRC forms ext4 uses, against independent references. */
class Crc32cTest {
    @Test
    void rawCrc32cIsTheInverseOfTheStandardOne() {
        byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
        CRC32C reference = new CRC32C();
        reference.update(data);
        assertEquals(0xE3069283L, reference.getValue()); // the published CRC-32C check value
        assertEquals(reference.getValue(), ~Crc32c.update(~0, data) & 0xFFFFFFFFL);
    }

    @Test
    void chainingEqualsOneUpdate() {
        byte[] a = "ext4 ".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "checksums".getBytes(StandardCharsets.US_ASCII);
        byte[] ab = "ext4 checksums".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Crc32c.update(~0, ab), Crc32c.update(Crc32c.update(~0, a), b));
        assertEquals(Crc32c.updateInt(7, 0x04030201), Crc32c.update(7, new byte[] {1, 2, 3, 4}));
    }

    @Test
    void eightBytesAtATimeEqualsByteByByteAtEveryLengthOffsetAndSeed() {
        java.util.Random random = new java.util.Random(11);
        byte[] data = new byte[4200];
        random.nextBytes(data);
        for (int len = 0; len <= 80; len++) {
            for (int off = 0; off < 9; off++) {
                int seed = random.nextInt();
                assertEquals(byteWise(seed, data, off, len), Crc32c.update(seed, data, off, len), "len " + len + " off " + off);
            }
        }
        CRC32C reference = new CRC32C();
        reference.update(data, 3, 4096);
        assertEquals(reference.getValue(), ~Crc32c.update(~0, data, 3, 4096) & 0xFFFFFFFFL);
    }

    /** The textbook bit-at-a-time reflected CRC-32C, no tables. */
    private static int byteWise(int crc, byte[] data, int off, int len) {
        int c = crc;
        for (int i = off; i < off + len; i++) {
            c ^= data[i] & 0xFF;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
            }
        }
        return c;
    }

    @Test
    void crc16MatchesTheArcCheckValue() {
        byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
        // CRC-16/ARC (poly 0x8005 reflected, init 0) check value; ext4 seeds it with ~0 instead.
        assertEquals(0xBB3D, Crc16.update(0, data, 0, data.length));
    }
}
