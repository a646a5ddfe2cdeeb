package org.xen2kvm.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The real packages the tests read: Debian's cloud kernel .deb (testdata/fetch-kernel-package.sh)
 * and kernel RPMs built around its files with rpmbuild (testdata/make-kernel-rpm.sh), cached
 * under /var/tmp/xen2kvm-testdata; and listings of them by dpkg-deb and rpm, the oracles.
 */
final class PackageFixtures {
    private static Path deb;
    private static Map<String, Path> rpms;

    private PackageFixtures() {
    }

    static synchronized Path kernelDeb() throws IOException, InterruptedException {
        if (deb == null) {
            ExternalTool.require("apt-get", "apt-cache", "dpkg-deb");
            ExternalTool.Result r = ExternalTool.run(List.of("sh",
                    ExternalTool.projectRoot().resolve("testdata/fetch-kernel-package.sh").toString()));
            assertEquals(0, r.exitCode(), r.output());
            deb = Path.of(value(r.output(), "deb"));
        }
        return deb;
    }

    /** Kernel RPMs by payload compression: gzip, xz, zstd, bzip2. */
    static synchronized Map<String, Path> kernelRpms() throws IOException, InterruptedException {
        if (rpms == null) {
            Path d = kernelDeb();
            ExternalTool.require("rpmbuild", "dpkg-deb");
            ExternalTool.Result r = ExternalTool.run(List.of("bash",
                    ExternalTool.projectRoot().resolve("testdata/make-kernel-rpm.sh").toString(), d.toString()));
            assertEquals(0, r.exitCode(), r.output());
            Map<String, Path> m = new LinkedHashMap<>();
            for (String c : List.of("gzip", "xz", "zstd", "bzip2")) {
                m.put(c, Path.of(value(r.output(), "rpm-" + c)));
            }
            rpms = m;
        }
        return rpms;
    }

    private static String value(String output, String key) {
        for (String line : output.split("\n")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).strip();
            }
        }
        throw new AssertionError("no " + key + "= line in:\n" + output);
    }

    /** {@code ls -l} style: type letter and permission bits ({@code -rw-r--r--}, {@code hrwxr-xr-x}). */
    static String modeString(char type, int mode) {
        StringBuilder sb = new StringBuilder().append(type);
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        if ((mode & 04000) != 0) {
            sb.setCharAt(3, sb.charAt(3) == 'x' ? 's' : 'S');
        }
        if ((mode & 02000) != 0) {
            sb.setCharAt(6, sb.charAt(6) == 'x' ? 's' : 'S');
        }
        if ((mode & 01000) != 0) {
            sb.setCharAt(9, sb.charAt(9) == 'x' ? 't' : 'T');
        }
        return sb.toString();
    }

    static char typeLetter(EntryType t) {
        return switch (t) {
            case FILE -> '-';
            case DIRECTORY -> 'd';
            case SYMLINK -> 'l';
            case HARDLINK -> 'h';
        };
    }

    /** All entries of a package, with the data of each file read (and discarded: size checked). */
    static List<PackageEntry> entries(PackageArchive p) throws IOException {
        List<PackageEntry> out = new ArrayList<>();
        try (EntryReader r = p.entries()) {
            PackageEntry e;
            while ((e = r.next()) != null) {
                out.add(e);
                if (e.type() == EntryType.FILE) {
                    assertEquals(e.size(), r.content().length, e.path());
                }
            }
        }
        return out;
    }

    /** Runs a command that must succeed, returning its output. */
    static String run(String... command) throws IOException, InterruptedException {
        ExternalTool.Result r = ExternalTool.run(List.of(command));
        assertEquals(0, r.exitCode(), String.join(" ", command) + ":\n" + r.output());
        return r.output();
    }

    static Path tempDir(Path parent, String name) throws IOException {
        return Files.createDirectories(parent.resolve(name));
    }
}
