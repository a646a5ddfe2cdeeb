package org.xen2kvm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xen2kvm.fs.MemoryFileSystem;

class MountedGuestTest {

    /** CentOS 5 as installed: /boot is its own filesystem, so its paths lack the /boot prefix. */
    private static MountedGuest centos5WithSeparateBoot(MemoryFileSystem root, MemoryFileSystem boot) throws Exception {
        MemoryFileSystem whole = GuestTrees.rhel5();
        for (String n : whole.list("/boot")) {
            if (whole.lstat("/boot/" + n).orElseThrow().type() == org.xen2kvm.fs.FileType.REGULAR) {
                boot.file("/" + n, whole.readText("/boot/" + n));
            }
        }
        boot.file("/grub/grub.conf", whole.readText("/boot/grub/grub.conf"));
        boot.link("/grub/menu.lst", "./grub.conf");
        for (String f : List.of("/etc/redhat-release", "/etc/fstab", "/etc/inittab", "/sbin/init", "/etc/modprobe.conf")) {
            root.file(f, whole.readText(f));
        }
        root.dir("/boot");
        return new MountedGuest(root, Map.of("/boot", boot));
    }

    @Test
    void inspectionAndEditsReachTheBootFilesystem() throws Exception {
        MemoryFileSystem root = new MemoryFileSystem("root");
        MemoryFileSystem boot = new MemoryFileSystem("boot");
        MountedGuest g = centos5WithSeparateBoot(root, boot);
        InspectedGuest i = GuestInspector.inspect(g);
        assertEquals(List.of("/boot/vmlinuz-2.6.18-398.el5xen", "/boot/vmlinuz-2.6.18-398.el5"),
                i.kernels().stream().map(KernelInfo::vmlinuzPath).toList());
        assertEquals("/boot/grub/grub.conf", i.bootloader().configPath());
        g.writeText("/boot/grub/menu.lst", "edited via the link\n");
        assertEquals("edited via the link\n", boot.readText("/grub/grub.conf"));
        assertEquals("edited via the link\n", g.readText("/boot/../boot/./grub/grub.conf"));
        assertEquals(List.of("boot", "etc", "sbin"), g.list("/"));
        assertTrue(g.list("/boot").contains("grub"));
        assertEquals("root (memory) + boot (memory) on /boot", g.describe());
    }

    @Test
    void longestMountPointWinsAndBadMountPointsAreRefused() throws Exception {
        MemoryFileSystem root = new MemoryFileSystem("root").dir("/var/lib");
        MemoryFileSystem var = new MemoryFileSystem("var").file("/x", "var");
        MemoryFileSystem lib = new MemoryFileSystem("lib").file("/x", "lib");
        MountedGuest g = new MountedGuest(root, Map.of("/var", var, "/var/lib/", lib));
        assertEquals("var", g.readText("/var/x"));
        assertEquals("lib", g.readText("/var/lib/x"));
        assertEquals("/var/lib/x", g.stat("/var/lib/x").orElseThrow().path());
        assertThrows(IllegalArgumentException.class, () -> new MountedGuest(root, Map.of("/", var)));
        assertThrows(IllegalArgumentException.class, () -> new MountedGuest(root, Map.of("boot", var)));
    }
}
