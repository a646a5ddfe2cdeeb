package org.xen2kvm.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The .deb reader against dpkg-deb: the entry list equals {@code dpkg-deb -c} (type, mode,
 * owner, size, path, link target) and the control fields equal {@code dpkg-deb -f}, for
 * Debian's cloud kernel and for small packages built by dpkg-deb in every compression it
 * writes, and by {@code ar} with GNU member names and a bzip2 data.tar.
 */
class DebPackageTest {
    @TempDir
    Path tmp;

    @Test
    void debianCloudKernelMatchesDpkgDeb() throws Exception {
        Path deb = PackageFixtures.kernelDeb();
        long start = System.nanoTime();
        long cpuStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        KernelPackage k = KernelPackages.open(deb);
        List<PackageEntry> entries = PackageFixtures.entries(k.archive());
        long millis = (System.nanoTime() - start) / 1_000_000;
        long cpu = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
        assertEquals(dpkgListing(deb), listing(entries));
        assertControlMatches(deb, k.metadata());
        String vmlinuz = PackageFixtures.run("dpkg-deb", "-c", deb.toString()).lines()
                .filter(l -> l.contains("./boot/vmlinuz-")).findFirst().orElseThrow();
        String release = vmlinuz.substring(vmlinuz.indexOf("./boot/vmlinuz-") + "./boot/vmlinuz-".length());
        assertEquals(release, k.kernelRelease().orElseThrow());
        assertEquals("/boot/vmlinuz-" + release, k.kernelImage().orElseThrow());
        assertTrue(k.isKernel());
        assertEquals(PayloadCompression.XZ, ((DebPackage) k.archive()).dataCompression());
        assertTrue(k.metadata().scripts().contains("postinst"), k.metadata().scripts().toString());
        // md5sums lists exactly the regular files, so the kernel is found without inflating data.tar.
        assertEquals(entries.stream().filter(e -> e.type() == EntryType.FILE || e.type() == EntryType.HARDLINK)
                .map(PackageEntry::path).sorted().toList(), k.archive().listedPaths().orElseThrow().stream().sorted().toList());
        System.out.println("read " + entries.size() + " entries of " + deb.getFileName() + " in " + millis + " ms (" + cpu + " ms CPU)");
    }

    /** A package tree with what the kernel .deb lacks: symlinks, a hard link, other owners, modes. */
    private Path tree(String name) throws IOException, InterruptedException {
        Path root = tmp.resolve(name);
        Path rel = Files.createDirectories(root.resolve("lib/modules/9.9.9-test/kernel/drivers"));
        Files.createDirectories(root.resolve("boot"));
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.writeString(root.resolve("boot/vmlinuz-9.9.9-test"), "not really a kernel\n".repeat(500));
        Files.writeString(rel.resolve("virtio_blk.ko"), "module");
        Files.createSymbolicLink(root.resolve("lib/modules/9.9.9-test/build"), Path.of("/usr/src/linux-headers-9.9.9-test"));
        Files.createSymbolicLink(root.resolve("boot/vmlinuz"), Path.of("vmlinuz-9.9.9-test"));
        Files.createLink(root.resolve("lib/modules/9.9.9-test/vmlinuz"), root.resolve("boot/vmlinuz-9.9.9-test"));
        Files.writeString(rel.resolve("owned"), "x");
        PackageFixtures.run("chown", "1:1", rel.resolve("owned").toString());
        PackageFixtures.run("chmod", "4750", rel.resolve("owned").toString());
        Files.writeString(root.resolve("DEBIAN/control"), """
                Package: linux-image-9.9.9-test
                Version: 9.9.9-1
                Architecture: amd64
                Maintainer: xen2kvm tests <tests@example.org>
                Pre-Depends: dpkg (>= 1.19)
                Depends: kmod, linux-base (>= 4.3~), initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool
                Provides: linux-image, wireguard-modules (= 1.0.0)
                Description: test kernel
                 with a continuation line
                """);
        Files.writeString(root.resolve("DEBIAN/postinst"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(root.resolve("DEBIAN/postinst"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return root;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "xz", "zstd", "none"})
    void dpkgDebBuiltPackagesMatch(String compression) throws Exception {
        Path root = tree("tree-" + compression);
        Path deb = tmp.resolve("test-" + compression + ".deb");
        PackageFixtures.run("dpkg-deb", "--build", "-Z" + compression, root.toString(), deb.toString());
        KernelPackage k = KernelPackages.open(deb);
        List<PackageEntry> entries = PackageFixtures.entries(k.archive());
        assertEquals(dpkgListing(deb), listing(entries));
        assertControlMatches(deb, k.metadata());
        assertEquals("9.9.9-test", k.kernelRelease().orElseThrow());
        assertEquals(List.of("postinst"), k.metadata().scripts());
        // dpkg-deb writes no md5sums (debhelper does): the kernel was found in data.tar.
        assertTrue(k.archive().listedPaths().isEmpty());
        PackageEntry owned = entries.stream().filter(e -> e.path().endsWith("/owned")).findFirst().orElseThrow();
        assertEquals(1, owned.uid());
        assertEquals(04750, owned.mode());
        PackageEntry link = entries.stream().filter(e -> e.type() == EntryType.HARDLINK).findFirst().orElseThrow();
        assertTrue(link.linkTarget().startsWith("/"), link.linkTarget());
    }

    /** GNU ar member names ({@code data.tar.bz2/}) as binutils writes them, and bzip2, which dpkg-deb reads but no longer writes. */
    @Test
    void gnuArNamesAndBzip2Data() throws Exception {
        Path root = tree("tree-bz2");
        Path built = tmp.resolve("plain.deb");
        PackageFixtures.run("dpkg-deb", "--build", "-Znone", root.toString(), built.toString());
        Path parts = Files.createDirectories(tmp.resolve("parts"));
        ExternalTool.Result x = ExternalTool.run(parts, List.of("ar", "x", built.toString()));
        assertEquals(0, x.exitCode(), x.output());
        PackageFixtures.run("bzip2", "-9", parts.resolve("data.tar").toString());
        Path deb = tmp.resolve("gnu-ar.deb");
        ExternalTool.Result a = ExternalTool.run(parts, List.of("ar", "rc", deb.toString(), "debian-binary", "control.tar",
                "data.tar.bz2"));
        assertEquals(0, a.exitCode(), a.output());
        assertTrue(new String(Files.readAllBytes(deb), StandardCharsets.ISO_8859_1).contains("data.tar.bz2/"),
                "ar wrote GNU names ending in /");
        KernelPackage k = KernelPackages.open(deb);
        assertEquals(PayloadCompression.BZIP2, ((DebPackage) k.archive()).dataCompression());
        assertEquals(dpkgListing(deb), listing(PackageFixtures.entries(k.archive())));
        assertControlMatches(deb, k.metadata());
    }

    /** {@code dpkg-deb -c} lines reduced to type+mode, owner, size, path and link. */
    static List<String> dpkgListing(Path deb) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        for (String line : PackageFixtures.run("dpkg-deb", "-c", deb.toString()).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+", 6);
            out.add(f[0] + " " + f[1] + " " + f[2] + " " + f[5]);
        }
        return out;
    }

    static List<String> listing(List<PackageEntry> entries) {
        List<String> out = new ArrayList<>();
        for (PackageEntry e : entries) {
            String name = "." + (e.path().equals("/") ? "/" : e.path() + (e.type() == EntryType.DIRECTORY ? "/" : ""));
            String owner = (e.user().isEmpty() ? String.valueOf(e.uid()) : e.user()) + "/"
                    + (e.group().isEmpty() ? String.valueOf(e.gid()) : e.group());
            String link = switch (e.type()) {
                case SYMLINK -> " -> " + e.linkTarget();
                case HARDLINK -> " link to ." + e.linkTarget();
                default -> "";
            };
            out.add(PackageFixtures.modeString(PackageFixtures.typeLetter(e.type()), e.mode()) + " " + owner + " " + e.size()
                    + " " + name + link);
        }
        return out;
    }

    static void assertControlMatches(Path deb, PackageMetadata m) throws IOException, InterruptedException {
        assertEquals(PackageFormat.DEB, m.format());
        assertEquals(field(deb, "Package"), m.name());
        assertEquals(field(deb, "Version"), m.version());
        assertEquals(field(deb, "Architecture"), m.architecture());
        String depends = List.of(field(deb, "Pre-Depends"), field(deb, "Depends")).stream().filter(s -> !s.isEmpty())
                .collect(Collectors.joining(", "));
        assertEquals(depends, m.depends().stream().map(Dependency::toString).collect(Collectors.joining(", ")));
        String provides = field(deb, "Provides");
        assertEquals(provides.isEmpty() ? List.of() : List.of(provides.replaceAll("\\s*\\([^)]*\\)", "").split(",\\s*")),
                m.provides());
        assertFalse(m.name().isEmpty());
    }

    private static String field(Path deb, String name) throws IOException, InterruptedException {
        return PackageFixtures.run("dpkg-deb", "-f", deb.toString(), name).strip();
    }
}
