package org.xen2kvm.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.fs.HostDirectoryFileSystem;

class GuestPackagesTest {
    /** Paragraphs as dpkg writes them: installed, removed with config left, a multi-line Provides. */
    private static final String STATUS = """
            Package: dpkg
            Essential: yes
            Status: install ok installed
            Priority: required
            Architecture: amd64
            Version: 1.21.22

            Package: kmod
            Status: install ok installed
            Architecture: amd64
            Provides: module-init-tools (= 30+20221128-1)

            Package: initramfs-tools
            Status: install ok installed
            Architecture: all
            Provides: linux-initramfs-tool

            Package: linux-base
            Status: deinstall ok config-files
            Architecture: all

            Package: mawk
            Status: install ok installed
            Architecture: amd64
            Provides: awk,
             mawk-like:any (= 1)
            """;

    @TempDir
    Path dir;

    @Test
    void dpkgStatusNamesInstalledPackagesAndWhatTheyProvide() {
        GuestPackages.Status s = GuestPackages.parseStatus(STATUS);
        assertTrue(s.names().containsAll(List.of("dpkg", "kmod", "initramfs-tools", "module-init-tools",
                "linux-initramfs-tool", "mawk", "awk", "mawk-like")), s.names().toString());
        assertFalse(s.names().contains("linux-base"), "a removed package left only config files: " + s.names());
        assertEquals("amd64", s.dpkgArchitecture());
    }

    @Test
    void garbageInTheStatusFileIsSkippedNotTrusted() {
        GuestPackages.Status s = GuestPackages.parseStatus("no colon here\n:\n\u0000\u0001\nPackage: x\n"
                + "Status: install ok installed\n\n\n\nPackage: y\nStatus: half-installed\n");
        assertEquals(java.util.Set.of("x"), s.names());
        assertEquals(null, s.dpkgArchitecture());
    }

    @Test
    void aDebianGuestAnswersFromItsStatusFile() throws Exception {
        Files.createDirectories(dir.resolve("var/lib/dpkg"));
        Files.writeString(dir.resolve("var/lib/dpkg/status"), STATUS);
        GuestPackages g = GuestPackages.read(new HostDirectoryFileSystem(dir), List.of("6.1.0-50-amd64"));
        assertTrue(g.hasDatabase());
        assertEquals(Optional.of("amd64"), g.architecture());
        assertTrue(g.has("linux-initramfs-tool"));
        assertFalse(g.has("linux-base"));
        assertFalse(g.has("/bin/sh"), "dpkg answers names, not paths");
        assertEquals(List.of(), g.unchecked());
    }

    @Test
    void anRpmGuestChecksPathsAndListsTheNamesItTookOnTrust() throws Exception {
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("bin/bash"), "not really bash\n");
        GuestPackages g = GuestPackages.read(new HostDirectoryFileSystem(dir),
                List.of("2.6.18-398.el5xen", "2.6.32-754.el6.x86_64"));
        assertFalse(g.hasDatabase());
        assertEquals(Optional.of("x86_64"), g.architecture());
        assertTrue(g.has("/bin/bash"));
        assertFalse(g.has("/sbin/new-kernel-pkg"));
        assertTrue(g.has("rpmlib(PayloadIsXz)"));
        assertTrue(g.has("dracut"));
        assertTrue(g.has("linux-firmware"));
        assertEquals(List.of("dracut", "linux-firmware"), g.unchecked());
    }

    @Test
    void withoutAnyNameTheShellsElfHeaderSaysTheMachine() throws Exception {
        Files.createDirectories(dir.resolve("usr/bin"));
        Files.copy(Path.of("/bin/sh").toRealPath(), dir.resolve("usr/bin/dash"));
        Files.createSymbolicLink(dir.resolve("bin"), Path.of("usr/bin"));
        Files.createSymbolicLink(dir.resolve("usr/bin/sh"), Path.of("dash"));
        String host = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
        assertEquals(Optional.of(host), GuestPackages.read(new HostDirectoryFileSystem(dir), List.of()).architecture());
    }

    @Test
    void elfMachines() {
        assertEquals(Optional.of("i386"), GuestPackages.elfMachine(elf(1, 1, 3)));
        assertEquals(Optional.of("amd64"), GuestPackages.elfMachine(elf(2, 1, 62)));
        assertEquals(Optional.of("ppc64"), GuestPackages.elfMachine(elf(2, 2, 21)));
        assertEquals(Optional.of("ppc64el"), GuestPackages.elfMachine(elf(2, 1, 21)));
        assertEquals(Optional.of("s390x"), GuestPackages.elfMachine(elf(2, 2, 22)));
        assertEquals(Optional.empty(), GuestPackages.elfMachine(elf(2, 1, 9999)));
        assertEquals(Optional.empty(), GuestPackages.elfMachine("#!/bin/sh\necho not elf\n".getBytes()));
        assertEquals(Optional.empty(), GuestPackages.elfMachine(new byte[] {0x7f, 'E', 'L', 'F'}));
    }

    private static byte[] elf(int elfClass, int data, int machine) {
        byte[] h = new byte[64];
        h[0] = 0x7f;
        h[1] = 'E';
        h[2] = 'L';
        h[3] = 'F';
        h[4] = (byte) elfClass;
        h[5] = (byte) data;
        if (data == 1) {
            h[18] = (byte) machine;
            h[19] = (byte) (machine >> 8);
        } else {
            h[19] = (byte) machine;
            h[18] = (byte) (machine >> 8);
        }
        return h;
    }
}
