package org.xen2kvm.guest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz targets for the guest text parsers: grub.cfg, menu.lst/grub.conf,
 * extlinux.conf, fstab and the release files. They refuse nothing (bad lines become warnings or are skipped),
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

    /** Every release file format of {@link DistroDetector}, the same input in each place. */
    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void releaseFiles(byte[] data) throws Exception {
        Fuzz.expect(() -> {
            for (String file : DistroDetector.RELEASE_FILES) {
                org.xen2kvm.fs.MemoryFileSystem fs = new org.xen2kvm.fs.MemoryFileSystem("fuzz");
                fs.mkdirs("/etc");
                fs.mkdirs("/usr/lib");
                fs.writeFile(file, data, 0644, 0, 0);
                OsInfo os = DistroDetector.detect(fs);
                if (os.prettyName().length() > DistroDetector.MAX_FIELD || os.versionId().length() > DistroDetector.MAX_FIELD) {
                    throw new AssertionError("release string not cut: " + os);
                }
            }
        });
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
