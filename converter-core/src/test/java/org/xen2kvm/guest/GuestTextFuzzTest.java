package org.xen2kvm.guest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz targets for the guest text parsers: grub.cfg, menu.lst/grub.conf,
 * extlinux.conf and fstab. They refuse nothing (bad lines become warnings or are skipped),
 * so any exception at all is a bug.
 */
class GuestTextFuzzTest {

    private static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void grub2(byte[] data) throws Exception {
        Fuzz.expect(() -> GrubConfigs.parseGrub2("/boot/grub/grub.cfg", text(data)));
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void grubLegacy(byte[] data) throws Exception {
        Fuzz.expect(() -> GrubConfigs.parseLegacy("/boot/grub/menu.lst", text(data)));
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void extlinux(byte[] data) throws Exception {
        Fuzz.expect(() -> GrubConfigs.parseExtlinux("/boot/extlinux/extlinux.conf", text(data)));
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void fstab(byte[] data) throws Exception {
        Fuzz.expect(() -> {
            Fstab f = Fstab.parse("/etc/fstab", text(data));
            for (FstabEntry e : f.entries()) {
                f.at(e.mountPoint());
            }
        });
    }
}
