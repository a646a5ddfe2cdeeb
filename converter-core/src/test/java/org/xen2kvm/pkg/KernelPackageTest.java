package org.xen2kvm.pkg;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel view and the refusals: another architecture, not a kernel, missing dependencies. */
class KernelPackageTest {
    @TempDir
    Path tmp;

    private static PackageRefusedException refused(KernelPackage k, String arch, Set<String> guest,
                                                   PackageRefusedException.Reason reason) {
        PackageRefusedException e = assertThrows(PackageRefusedException.class, () -> k.check(arch, guest::contains));
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(k.file() + ": package " + k.name()), e.getMessage());
        return e;
    }

    @Test
    void debianKernelRefusals() throws Exception {
        KernelPackage k = KernelPackages.open(PackageFixtures.kernelDeb());
        Set<String> all = Set.of("kmod", "linux-base", "initramfs-tools");
        String m = refused(k, "i386", all, PackageRefusedException.Reason.WRONG_ARCHITECTURE).getMessage();
        assertTrue(m.contains("built for amd64, the guest is i386"), m);
        refused(k, "arm64", all, PackageRefusedException.Reason.WRONG_ARCHITECTURE);
        m = refused(k, "amd64", Set.of("kmod"), PackageRefusedException.Reason.MISSING_DEPENDENCIES).getMessage();
        assertTrue(m.contains("needs what the guest lacks: linux-base (>= 4.3~), initramfs-tools (>= 0.120+deb8u2)"
                + " | linux-initramfs-tool;"), m);
        assertEquals(List.of("linux-base (>= 4.3~)"),
                k.missingDependencies(Set.of("kmod", "linux-initramfs-tool")::contains).stream().map(Dependency::toString).toList());
        assertDoesNotThrow(() -> k.check("x86_64", all::contains));
        assertDoesNotThrow(() -> k.check("amd64", Set.of("kmod", "linux-base", "linux-initramfs-tool")::contains));
    }

    @Test
    void kernelRpmRefusals() throws Exception {
        KernelPackage k = KernelPackages.open(PackageFixtures.kernelRpms().get("gzip"));
        Set<String> all = Set.of("kmod", "coreutils", "/bin/sh");
        // rpmlib() features are rpm's own and kernel-core-uname-r is provided by the package itself.
        assertDoesNotThrow(() -> k.check("amd64", all::contains));
        assertDoesNotThrow(() -> k.check("x86_64", all::contains));
        refused(k, "i686", all, PackageRefusedException.Reason.WRONG_ARCHITECTURE);
        String m = refused(k, "x86_64", Set.of("kmod"), PackageRefusedException.Reason.MISSING_DEPENDENCIES).getMessage();
        assertTrue(m.contains("lacks: /bin/sh, coreutils (>= 8.0);"), m);
    }

    @Test
    void packagesWithoutAKernel() throws Exception {
        Path root = tmp.resolve("doc");
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.createDirectories(root.resolve("usr/share/doc/foo"));
        Files.writeString(root.resolve("usr/share/doc/foo/README"), "hello\n");
        Files.writeString(root.resolve("DEBIAN/control"), "Package: foo\nVersion: 1\nArchitecture: all\n"
                + "Maintainer: t <t@example.org>\nDescription: no kernel\n");
        Path deb = tmp.resolve("foo.deb");
        PackageFixtures.run("dpkg-deb", "--build", root.toString(), deb.toString());
        KernelPackage k = KernelPackages.open(deb);
        assertFalse(k.isKernel());
        assertTrue(k.kernelRelease().isEmpty());
        String m = refused(k, "amd64", Set.of(), PackageRefusedException.Reason.NOT_A_KERNEL).getMessage();
        assertTrue(m.contains("carries no kernel"), m);

        // An image without its module tree is no kernel package either (linux-image without modules, a headers package).
        Files.createDirectories(root.resolve("boot"));
        Files.writeString(root.resolve("boot/vmlinuz-1.2.3"), "image");
        Files.createDirectories(root.resolve("lib/modules/4.5.6"));
        Files.writeString(root.resolve("lib/modules/4.5.6/modules.order"), "");
        Files.writeString(root.resolve("DEBIAN/control"), "Package: half\nVersion: 1\nArchitecture: amd64\n"
                + "Maintainer: t <t@example.org>\nDescription: mismatched releases\n");
        Path half = tmp.resolve("half.deb");
        PackageFixtures.run("dpkg-deb", "--build", root.toString(), half.toString());
        refused(KernelPackages.open(half), "amd64", Set.of(), PackageRefusedException.Reason.NOT_A_KERNEL);
    }

    @Test
    void architectureFamilies() {
        assertTrue(Architectures.fits("amd64", "x86_64"));
        assertTrue(Architectures.fits("i686", "i386"));
        assertTrue(Architectures.fits("aarch64", "arm64"));
        assertFalse(Architectures.fits("x86_64", "i686"));
        assertTrue(Architectures.fits("all", "amd64"), "refused later as no kernel, which says more");
        assertTrue(Architectures.fits("noarch", "i686"));
    }
}
