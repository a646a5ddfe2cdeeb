package org.xen2kvm.initramfs;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz target for the initramfs reader: segment detection, every decompressor, the
 * newc parser and its limits. An image may only be refused with an
 * {@link InitramfsFormatException}; one that is read must write and read back to the same
 * entries.
 */
class InitramfsFuzzTest {
    /** Small limits, so that one input stays within the fuzzer's time and memory. */
    private static final InitramfsLimits LIMITS = new InitramfsLimits(2_000, 4096, 4 << 20);

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void image(byte[] data) throws Exception {
        Fuzz.expect(() -> {
            InitramfsImage image = InitramfsImage.read("fuzz.img", data, LIMITS);
            InitramfsImage back = InitramfsImage.read("rewritten", image.write(), LIMITS);
            if (!back.entries().equals(image.entries())) {
                throw new AssertionError("round trip changed the entries");
            }
        }, IOException.class);
    }
}
