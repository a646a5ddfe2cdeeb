package org.xen2kvm.pkg;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz targets for supplied kernel packages: the .deb reader (ar, control.tar,
 * data.tar), the RPM reader (lead, headers, cpio payload), and the whole path a conversion
 * takes (detection, kernel view, refusal check, install into an in-memory guest). A corrupt
 * package may only be refused with an {@link IOException} ({@link PackageFormatException},
 * or the guest filesystem's own refusal) or a {@link Xen2KvmException} (the refusals).
 * Seeds: testdata/make-package-seeds.sh.
 */
class PackageFuzzTest {
    /** Small enough that an input which inflates to a large payload stays quick. */
    private static final long GUEST_CAPACITY = 8L << 20;

    private static void readAll(PackageArchive p) throws IOException {
        KernelPackage.of(p);
        try (EntryReader r = p.entries()) {
            PackageEntry e;
            int n = 0;
            while ((e = r.next()) != null && n++ < 10_000) {
                if (e.type() == EntryType.FILE && e.size() <= (1 << 20)) {
                    r.content();
                }
            }
        }
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void deb(byte[] data) throws Exception {
        Path file = Fuzz.file("fuzz.deb", data);
        Fuzz.expect(() -> readAll(DebPackage.open(file)), IOException.class);
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void rpm(byte[] data) throws Exception {
        Path file = Fuzz.file("fuzz.rpm", data);
        Fuzz.expect(() -> readAll(RpmPackage.open(file)), IOException.class);
    }

    /** The guest's dpkg status is guest data: whatever it holds, names come out, nothing is thrown. */
    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void dpkgStatus(byte[] data) {
        GuestPackages.parseStatus(new String(data, java.nio.charset.StandardCharsets.UTF_8));
        GuestPackages.elfMachine(data);
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void install(byte[] data) throws Exception {
        Path file = Fuzz.file("fuzz.pkg", data);
        Fuzz.expect(() -> {
            KernelPackage k = KernelPackages.open(file);
            k.check("x86_64", name -> true);
            MemoryFileSystem fs = new MemoryFileSystem("fuzz-guest", GUEST_CAPACITY)
                    .file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n").link("/lib", "usr/lib").dir("/usr/lib");
            PackageInstaller.install(fs, k);
        }, IOException.class, Xen2KvmException.class);
    }
}
