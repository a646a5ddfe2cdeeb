package org.xen2kvm.edit;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz target for the lvm.conf reader and filter rewrite, which read a guest's file
 * (and the copy in its initramfs). It may refuse only with {@link LvmConfException}; a
 * rewrite it makes must need no second one.
 */
class LvmConfFuzzTest {

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void lvmConf(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        Fuzz.expect(() -> {
            Optional<String> once = LvmFilterEdit.rewrite(text);
            if (once.isPresent() && LvmFilterEdit.rewrite(once.get()).isPresent()) {
                throw new AssertionError("the rewrite is not idempotent");
            }
        }, LvmConfException.class);
    }
}
