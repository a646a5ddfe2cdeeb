package org.xen2kvm.pkg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.fs.ext.ExtFileSystem;
import org.xen2kvm.image.CowOverlay;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.testutil.ExternalTool;

/**
 * Installs the real kernel packages into ext4 images as a conversion does (source image
 * read-only behind a copy-on-write overlay, the overlay then written to the output), and
 * checks the result with e2fsprogs: {@code e2fsck -fn} clean, and the tree that
 * {@code debugfs rdump} extracts has every entry with the package's data (from
 * {@code dpkg-deb -x} / {@code cpio -i}), mode and owner, symlinks and hard-link copies.
 */
class PackageInstallerTest {
    @TempDir
    Path tmp;

    /** A guest root: usrmerge or not, daemon with ids the host does not use, a stale config to replace. */
    private Path guestTree(boolean usrmerge, String release) throws IOException {
        Path root = tmp.resolve("guest");
        Files.createDirectories(root.resolve("usr/lib"));
        Files.createDirectories(root.resolve("boot"));
        Files.createDirectories(root.resolve("etc"));
        if (usrmerge) {
            Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
        } else {
            Files.createDirectories(root.resolve("lib"));
        }
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\ndaemon:x:7:7:daemon:/:/bin/false\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\ndaemon:x:7:\n");
        Files.writeString(root.resolve("boot/config-" + release), "stale\n");
        return root;
    }

    private record Installed(InstalledPackage result, Path image, Path dump) {
    }

    private Installed install(KernelPackage pkg, Path tree, int sizeMiB) throws Exception {
        ExternalTool.require("mkfs.ext4", "e2fsck", "debugfs");
        Path source = tmp.resolve("source.img");
        PackageFixtures.run("mkfs.ext4", "-q", "-F", "-E", "root_owner=0:0", "-d", tree.toString(), source.toString(),
                sizeMiB + "M");
        byte[] before = Files.readAllBytes(source);
        InstalledPackage result;
        Path out = tmp.resolve("out.img");
        long start = System.nanoTime();
        long cpuStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        try (RawFileDevice src = RawFileDevice.openReadOnly(source); CowOverlay overlay = new CowOverlay(src)) {
            try (ExtFileSystem fs = ExtFileSystem.open(overlay, true)) {
                result = PackageInstaller.install(fs, pkg);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            long cpu = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
            System.out.println("installed " + result.files().size() + " entries, " + result.bytes() + " bytes of "
                    + pkg.file().getFileName() + " in " + millis + " ms (" + cpu + " ms CPU); overlay "
                    + overlay.overlayBytes() + " bytes");
            Files.copy(source, out);
            try (RawFileDevice dst = RawFileDevice.openWritable(out)) {
                overlay.writeDirtyTo(dst);
            }
        }
        assertArrayEquals(before, Files.readAllBytes(source), "the source image was written");
        ExternalTool.Result fsck = ExternalTool.run(List.of("e2fsck", "-fn", out.toString()));
        if (fsck.exitCode() != 0) {
            fail("e2fsck -fn after the install exited " + fsck.exitCode() + ":\n" + fsck.output());
        }
        Path dump = Files.createDirectories(tmp.resolve("dump"));
        PackageFixtures.run("debugfs", "-R", "rdump / " + dump, out.toString());
        return new Installed(result, out, dump);
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int gid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    @Test
    void debianKernelIntoUsrmergeGuest() throws Exception {
        Path deb = PackageFixtures.kernelDeb();
        KernelPackage k = KernelPackages.open(deb);
        String rel = k.kernelRelease().orElseThrow();
        Installed r = install(k, guestTree(true, rel), 400);
        Path unpacked = Files.createDirectories(tmp.resolve("dpkg-x"));
        PackageFixtures.run("dpkg-deb", "-x", deb.toString(), unpacked.toString());

        assertTrue(Files.isSymbolicLink(r.dump().resolve("lib")), "/lib stays the usrmerge symlink");
        List<PackageEntry> entries = PackageFixtures.entries(k.archive());
        assertEquals(entries.size(), r.result().files().size(), "one report line per entry (no parents were missing)");
        long bytes = 0;
        for (PackageEntry e : entries) {
            String landed = e.path().startsWith("/lib/") || e.path().equals("/lib") ? "/usr" + e.path() : e.path();
            Path got = r.dump().resolve("." + landed);
            Path want = unpacked.resolve("." + e.path());
            switch (e.type()) {
                case FILE -> {
                    assertTrue(Files.isRegularFile(got, LinkOption.NOFOLLOW_LINKS), landed);
                    assertArrayEquals(Files.readAllBytes(want), Files.readAllBytes(got), landed);
                    assertEquals(e.mode(), mode(got), landed);
                    assertEquals(e.uid(), uid(got), landed);
                    assertEquals(e.gid(), gid(got), landed);
                    bytes += e.size();
                }
                case DIRECTORY -> assertTrue(Files.isDirectory(got), landed);
                default -> fail("the cloud kernel package has no links: " + e);
            }
        }
        assertEquals(bytes, r.result().bytes());
        InstalledFile config = r.result().files().stream().filter(f -> f.path().equals("/boot/config-" + rel)).findFirst()
                .orElseThrow();
        assertEquals(InstalledFile.Action.REPLACED, config.action());
        InstalledFile lib = r.result().files().stream().filter(f -> f.path().equals("/lib")).findFirst().orElseThrow();
        assertEquals(InstalledFile.Action.KEPT_DIRECTORY, lib.action());
        String modules = "/lib/modules/" + rel + "/kernel/drivers/block/virtio_blk.ko";
        assertEquals("/usr" + modules, r.result().files().stream().filter(f -> f.path().equals(modules)).findFirst()
                .orElseThrow().guestPath());
        assertEquals(rel, r.result().kernelRelease());
        assertEquals(k.name(), r.result().name());
        assertEquals(deb, r.result().packageFile());
        assertTrue(r.result().warnings().stream().anyMatch(w -> w.contains("postinst")), r.result().warnings().toString());
        // debugfs's own view of one module, independent of rdump.
        String stat = PackageFixtures.run("debugfs", "-R", "stat /usr" + modules, r.image().toString());
        assertTrue(stat.contains("Mode:  0644") && stat.contains("User:     0") , stat);
    }

    @Test
    void kernelRpmIntoGuestWithOwnersLinksAndParents() throws Exception {
        Path rpm = PackageFixtures.kernelRpms().get("xz");
        KernelPackage k = KernelPackages.open(rpm);
        String rel = k.kernelRelease().orElseThrow();
        Installed r = install(k, guestTree(false, rel), 160);
        Path unpacked = Files.createDirectories(tmp.resolve("cpio-i"));
        ExternalTool.Result x = ExternalTool.run(unpacked, List.of("sh", "-c", "rpm2cpio '" + rpm + "' | cpio -idm --quiet"));
        assertEquals(0, x.exitCode(), x.output());

        Path dir = r.dump().resolve("lib/modules/" + rel);
        Path owned = dir.resolve("xen2kvm-owner-test");
        assertEquals(7, uid(owned), "daemon is uid 7 in the guest's /etc/passwd");
        assertEquals(7, gid(owned));
        assertEquals(0640, mode(owned));
        assertEquals(0600, mode(r.dump().resolve("boot/System.map-" + rel)));
        assertEquals("/usr/src/kernels/" + rel, Files.readSymbolicLink(dir.resolve("build")).toString());
        byte[] image = Files.readAllBytes(unpacked.resolve("lib/modules/" + rel + "/vmlinuz"));
        assertArrayEquals(image, Files.readAllBytes(r.dump().resolve("boot/vmlinuz-" + rel)), "hard link copied");
        assertArrayEquals(image, Files.readAllBytes(dir.resolve("vmlinuz")));
        for (String f : List.of("modules.order", "modules.builtin", "kernel/drivers/block/virtio_blk.ko")) {
            assertArrayEquals(Files.readAllBytes(unpacked.resolve("lib/modules/" + rel + "/" + f)),
                    Files.readAllBytes(dir.resolve(f)), f);
        }
        Map<InstalledFile.Action, List<String>> byAction = r.result().files().stream().collect(
                Collectors.groupingBy(InstalledFile::action, Collectors.mapping(InstalledFile::guestPath, Collectors.toList())));
        assertEquals(List.of("/lib/modules"), byAction.get(InstalledFile.Action.CREATED_PARENT),
                "the RPM does not own /lib/modules, so it was made");
        assertEquals(List.of("/boot/config-" + rel), byAction.get(InstalledFile.Action.REPLACED));
        assertTrue(r.result().warnings().stream().anyMatch(w -> w.contains("%post")), r.result().warnings().toString());
    }
}
