package org.xen2kvm.edit;

import org.xen2kvm.plan.KernelCmdlineTest;
import org.xen2kvm.plan.DeviceMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.GuestTrees;

class OverlayFileSystemTest {

    private interface Tree {
        MemoryFileSystem make() throws Exception;
    }

    /** A preview on a read-only guest reports exactly what applying the edits to a copy does. */
    @Test
    void previewEqualsApplyAndWritesNothing() throws Exception {
        Map<Tree, DeviceMap> guests = Map.of(
                GuestTrees::debianXenTools, KernelCmdlineTest.map("xvda2", "xvda1"),
                GuestTrees::debianPygrub, KernelCmdlineTest.map("xvda", "xvdb"),
                GuestTrees::rhel5, KernelCmdlineTest.map("xvda", "xvdb"),
                GuestTrees::sles11, KernelCmdlineTest.map("xvda"));
        for (var g : guests.entrySet()) {
            MemoryFileSystem applied = g.getKey().make();
            MemoryFileSystem previewed = g.getKey().make().readOnly();
            ConversionContext c = new ConversionContext(g.getValue(), GuestInspector.inspect(applied), false, Map.of(),
                    List.of("00:16:3e:00:00:01"), "ttyS0");
            EditReport preview = new GuestEditor(GuestEditor.defaultEdits()).apply(new OverlayFileSystem(previewed), c);
            EditReport real = GuestEditor.applyAll(applied, c);
            assertEquals(real.unifiedDiff(), preview.unifiedDiff(), previewed.describe());
            assertEquals(real.notes(), preview.notes());
            assertFalse(real.changes().isEmpty());
        }
    }

    @Test
    void overlaySemantics() throws Exception {
        MemoryFileSystem lower = new MemoryFileSystem("low");
        lower.file("/usr/lib/a", "A").link("/lib", "usr/lib").file("/etc/x", "X").file("/etc/y", "Y");
        lower.readOnly();
        OverlayFileSystem o = new OverlayFileSystem(lower);
        assertEquals("A", o.readText("/lib/a"));
        o.writeText("/lib/a", "changed");
        assertEquals("changed", o.readText("/usr/lib/a"));
        assertEquals("A", lower.readText("/usr/lib/a"));
        o.delete("/etc/x");
        o.mkdirs("/etc/new/deeper");
        o.symlink("/etc/new/link", "/lib/a");
        assertEquals("changed", o.readText("/etc/new/link"));
        assertEquals(List.of("new", "y"), o.list("/etc"));
        assertEquals(FileType.SYMLINK, o.lstat("/etc/new/link").orElseThrow().type());
        assertTrue(o.stat("/etc/x").isEmpty());
        o.chmod("/etc/y", 0600);
        assertEquals(0600, o.stat("/etc/y").orElseThrow().mode());
        assertEquals("Y", o.readText("/etc/y"));
        assertEquals("low (memory) (dry-run overlay): /etc: directory not empty",
                assertThrows(FileSystemException.class, () -> o.delete("/etc")).getMessage());
        o.delete("/lib");
        o.symlink("/lib", "/lib");
        assertEquals("low (memory) (dry-run overlay): /lib/a: too many levels of symbolic links (more than 40); the guest has a symlink loop",
                assertThrows(FileSystemException.class, () -> o.stat("/lib/a")).getMessage());
        assertTrue(o.stat("/nowhere/x").isEmpty());
    }
}
