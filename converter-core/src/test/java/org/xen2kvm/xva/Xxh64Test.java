package org.xen2kvm.xva;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Xxh64Test {

    /** Expected values computed with the reference library (libxxhash 0.8.1, XXH64). */
    @ParameterizedTest
    @CsvSource({
        "'', 0, ef46db3751d8e999",
        "a, 0, d24ec4f1a98c6e5b",
        "abc, 0, 44bc2cf5ad770999",
        "Nobody inspects the spammish repetition, 0, fbcea83c8a378bf1",
        "xen2kvm, 12345, 96be927f2cabbcd3"})
    void textVectors(String input, long seed, String expected) {
        byte[] b = input.getBytes(StandardCharsets.US_ASCII);
        assertEquals(expected, Xxh64.hex(Xxh64.hash(b, 0, b.length, seed)));
    }

    @org.junit.jupiter.api.Test
    void longInputsUseStripes() {
        byte[] b = new byte[768];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        assertEquals("8e03c838c596036f", Xxh64.hex(Xxh64.hash(b, 0, b.length, 0)));
        byte[] c = new byte[100];
        for (int i = 0; i < c.length; i++) {
            c[i] = (byte) ((i * 7) % 251);
        }
        assertEquals("b7fe1d84b2f23a05", Xxh64.hex(Xxh64.hash(c, 0, c.length, 0)));
        // The same bytes at an offset inside a larger array.
        byte[] shifted = new byte[105];
        System.arraycopy(c, 0, shifted, 3, 100);
        assertEquals("b7fe1d84b2f23a05", Xxh64.hex(Xxh64.hash(shifted, 3, 100, 0)));
    }
}
