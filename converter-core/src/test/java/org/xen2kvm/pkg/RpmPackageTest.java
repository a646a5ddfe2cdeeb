package org.xen2kvm.pkg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The RPM reader against rpm itself, on kernel RPMs built by rpmbuild around the Debian
 * kernel's files (testdata/make-kernel-rpm.sh) with gzip, xz, zstd and bzip2 payloads:
 * metadata equals {@code rpm -qp --qf}, requirements and provides equal {@code --requires} /
 * {@code --provides}, the entries equal {@code rpm -qlvp} (mode, owner, size, link target),
 * the payload names equal {@code rpm2cpio | cpio -t}, and every file's data equals what
 * {@code cpio -i} unpacks.
 */
class RpmPackageTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "xz", "zstd", "bzip2"})
    void kernelRpmMatchesRpm(String compression) throws Exception {
        Path rpm = PackageFixtures.kernelRpms().get(compression);
        KernelPackage k = KernelPackages.open(rpm);
        RpmPackage p = (RpmPackage) k.archive();
        assertEquals(compression, p.payloadCompression().toString());

        String[] q = PackageFixtures.run("rpm", "-qp", "--qf",
                "%{NAME}\\n%{VERSION}-%{RELEASE}\\n%{ARCH}\\n%{PAYLOADCOMPRESSOR}\\n", rpm.toString()).split("\n");
        assertEquals(q[0], k.name());
        assertEquals(q[1], k.version());
        assertEquals(q[2], k.architecture());
        assertEquals(q[3], compression);

        List<String> requires = PackageFixtures.run("rpm", "-qp", "--requires", rpm.toString()).lines()
                .filter(l -> !l.startsWith("rpmlib(")).distinct().toList();
        assertEquals(requires, k.metadata().depends().stream().map(RpmPackageTest::rpmStyle).toList());
        List<String> provides = PackageFixtures.run("rpm", "-qp", "--provides", rpm.toString()).lines()
                .map(l -> l.split(" ")[0]).toList();
        assertEquals(provides, k.metadata().provides());
        assertEquals(List.of("%post"), k.metadata().scripts());

        // Entries against rpm -qlvp, which lists the header's files sorted by path.
        Map<String, String> qlv = new HashMap<>();
        for (String line : PackageFixtures.run("rpm", "-qlvp", rpm.toString()).split("\n")) {
            String[] f = line.trim().split("\\s+", 9);
            qlv.put(f[8].split(" -> ")[0], f[0].replace('h', '-') + " " + f[2] + " " + f[3] + " " + f[4]
                    + (f[8].contains(" -> ") ? " -> " + f[8].split(" -> ")[1] : ""));
        }
        Path unpacked = unpack(rpm);
        List<PackageEntry> entries = new ArrayList<>();
        Map<String, Long> sizes = new HashMap<>();
        try (EntryReader r = k.entries()) {
            PackageEntry e;
            while ((e = r.next()) != null) {
                entries.add(e);
                if (e.type() == EntryType.FILE) {
                    byte[] data = r.content();
                    sizes.put(e.path(), (long) data.length);
                    assertArrayEquals(Files.readAllBytes(unpacked.resolve("." + e.path())), data, e.path());
                }
            }
        }
        Map<String, String> ours = new HashMap<>();
        for (PackageEntry e : entries) {
            char type = e.type() == EntryType.HARDLINK ? '-' : PackageFixtures.typeLetter(e.type());
            long size = switch (e.type()) {
                case FILE -> e.size();
                case HARDLINK -> sizes.get(e.linkTarget());
                case SYMLINK -> e.linkTarget().length();
                case DIRECTORY -> 0;
            };
            ours.put(e.path(), PackageFixtures.modeString(type, e.mode()) + " " + e.user() + " " + e.group() + " " + size
                    + (e.type() == EntryType.SYMLINK ? " -> " + e.linkTarget() : ""));
        }
        assertEquals(new java.util.TreeMap<>(qlv), new java.util.TreeMap<>(ours));

        // Every payload name once, as cpio lists them.
        ExternalTool.require("rpm2cpio", "cpio");
        TreeSet<String> cpio = PackageFixtures.run("sh", "-c", "rpm2cpio '" + rpm + "' | cpio -t --quiet").lines()
                .map(l -> l.substring(1)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(cpio, entries.stream().map(PackageEntry::path).collect(Collectors.toCollection(TreeSet::new)));

        // rpm writes the hard-linked image twice, the first name without data.
        PackageEntry image = entries.stream().filter(e -> e.path().startsWith("/boot/vmlinuz-")).findFirst().orElseThrow();
        assertEquals(EntryType.HARDLINK, image.type());
        String release = image.path().substring("/boot/vmlinuz-".length());
        assertEquals("/lib/modules/" + release + "/vmlinuz", image.linkTarget());
        assertEquals(release, k.kernelRelease().orElseThrow());
        assertTrue(k.isKernel());
    }

    private Path unpack(Path rpm) throws Exception {
        ExternalTool.require("rpm2cpio", "cpio");
        Path dir = Files.createDirectories(tmp.resolve("unpacked-" + rpm.getFileName()));
        ExternalTool.Result r = ExternalTool.run(dir, List.of("sh", "-c", "rpm2cpio '" + rpm + "' | cpio -idm --quiet"));
        assertEquals(0, r.exitCode(), r.output());
        return dir;
    }

    /** rpm --requires prints {@code name op version}. */
    private static String rpmStyle(Dependency d) {
        Relation r = d.alternatives().get(0);
        return r.operator().isEmpty() ? r.name() : r.name() + " " + r.operator() + " " + r.version();
    }

    static String[] split(String s) {
        return Arrays.stream(s.split("\n")).filter(l -> !l.isBlank()).toArray(String[]::new);
    }
}
