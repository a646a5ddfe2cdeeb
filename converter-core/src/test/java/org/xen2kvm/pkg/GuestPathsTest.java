package org.xen2kvm.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.guest.MountedGuest;

/**
 * Package paths resolved through the guest's symlinks before writing: a usrmerge guest
 * whose {@code /usr} is a filesystem of its own gets the modules on that filesystem, where
 * the guest will look for them, and not under a {@code /usr/lib} of the root filesystem.
 */
class GuestPathsTest {
    @TempDir
    Path tmp;

    @Test
    void resolvesThroughLinksAndAcrossMounts() throws Exception {
        MemoryFileSystem root = new MemoryFileSystem("root").link("/lib", "usr/lib").dir("/usr").dir("/boot")
                .link("/etc/alt", "/usr/lib/../share");
        MemoryFileSystem usr = new MemoryFileSystem("usr").dir("/lib").dir("/share");
        MountedGuest guest = new MountedGuest(root, Map.of("/usr", usr));
        assertEquals("/usr/lib/modules/x.ko", GuestPaths.resolveParent(guest, "/lib/modules/x.ko"));
        assertEquals("/usr/share/f", GuestPaths.resolveParent(guest, "/etc/alt/f"));
        assertEquals("/lib", GuestPaths.resolveParent(guest, "/lib"), "the last name is kept");
        assertEquals("/", GuestPaths.resolveParent(guest, "/"));

        Path deb = tmp.resolve("tiny.deb");
        try (InputStream in = getClass().getResourceAsStream("PackageFuzzTestInputs/deb/tiny-gzip.deb")) {
            Files.copy(in, deb);
        }
        InstalledPackage done = PackageInstaller.install(guest, KernelPackages.open(deb));
        assertEquals(FileType.REGULAR, usr.lstat("/lib/modules/9.9.9-test/kernel/virtio_blk.ko").orElseThrow().type());
        assertEquals(FileType.SYMLINK, root.lstat("/lib").orElseThrow().type());
        assertFalse(root.exists("/usr/lib"), "nothing under the mount point on the root filesystem");
        assertTrue(done.guestPaths(EntryType.FILE).contains("/usr/lib/modules/9.9.9-test/modules.order"), done.files().toString());
        assertEquals("kernel image\n", usr.readText("/lib/modules/9.9.9-test/vmlinuz"), "hard link copied");
    }
}
