package org.xen2kvm.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemoryFileSystemTest {

    @Test
    void filesDirectoriesAndMetadata() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t");
        fs.mkdirs("/etc/default");
        fs.writeFile("/etc/default/grub", new byte[] {1, 2, 3}, 0600, 5, 6);
        FileInfo i = fs.stat("/etc/default/grub").orElseThrow();
        assertEquals(new FileInfo("/etc/default/grub", FileType.REGULAR, 0600, 5, 6, 3, 0), i);
        fs.writeFile("/etc/default/grub", new byte[] {9}, 0644, 0, 0);
        assertEquals(0600, fs.stat("/etc/default/grub").orElseThrow().mode(), "an existing file keeps its mode");
        assertArrayEquals(new byte[] {9}, fs.readFile("/etc/default/grub", 10));
        assertEquals(List.of("default"), fs.list("/etc"));
        assertEquals(FileType.DIRECTORY, fs.stat("/").orElseThrow().type());
        fs.chmod("/etc/default/grub", 0640);
        assertEquals(0640, fs.stat("/etc/default/grub").orElseThrow().mode());
        assertEquals("t: /etc: directory not empty", assertThrows(FileSystemException.class, () -> fs.delete("/etc")).getMessage());
        fs.delete("/etc/default/grub");
        assertEquals(Optional.empty(), fs.stat("/etc/default/grub"));
        assertEquals(Optional.empty(), fs.stat("/nope/deeper"));
        assertEquals("t: /nope/x: no such directory: nope",
                assertThrows(FileSystemException.class, () -> fs.writeText("/nope/x", "")).getMessage());
        assertEquals(0, fs.used());
    }

    @Test
    void symlinksResolveInsideTheFilesystem() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t");
        fs.file("/usr/lib/systemd/system/a.service", "A");
        fs.link("/lib", "usr/lib");
        fs.link("/etc/abs", "/usr/lib/systemd");
        fs.link("/etc/escape", "../../../../usr/lib/systemd/system/a.service");
        fs.link("/etc/dangling", "/nowhere");
        assertEquals("A", fs.readText("/lib/systemd/system/a.service"));
        assertEquals("A", fs.readText("/etc/abs/system/a.service"));
        assertEquals("A", fs.readText("/etc/escape"), "'..' above the root stays at the root");
        assertEquals(FileType.SYMLINK, fs.lstat("/lib").orElseThrow().type());
        assertEquals(FileType.DIRECTORY, fs.stat("/lib").orElseThrow().type());
        assertEquals("usr/lib", fs.readlink("/lib"));
        assertTrue(fs.lstat("/etc/dangling").isPresent());
        assertFalse(fs.stat("/etc/dangling").isPresent());
        fs.writeText("/lib/systemd/system/a.service", "B");
        assertEquals("B", fs.readText("/usr/lib/systemd/system/a.service"));
        fs.writeText("/etc/dangling", "created at the target");
        assertEquals("created at the target", fs.readText("/nowhere"));
        fs.delete("/lib");
        assertTrue(fs.exists("/usr/lib/systemd/system/a.service"), "deleting a link leaves its target");
    }

    @Test
    void symlinkLoopsFailAfterFortyHops() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t");
        fs.link("/a", "/b").link("/b", "a").link("/self", "/self");
        for (String p : List.of("/a", "/self", "/a/x")) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> fs.readFile(p, 10));
            assertEquals("t: " + p + ": too many levels of symbolic links (more than 40); the guest has a symlink loop", e.getMessage());
            assertThrows(FileSystemException.class, () -> fs.stat(p));
        }
        assertEquals(FileType.SYMLINK, fs.lstat("/self").orElseThrow().type());
    }

    @Test
    void capacityAndReadOnlyAreEnforced() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("small", 10);
        fs.writeFile("/a", new byte[8], 0644, 0, 0);
        FileSystemException e = assertThrows(FileSystemException.class, () -> fs.writeFile("/b", new byte[3], 0644, 0, 0));
        assertEquals("small: /b: no space left: 10 bytes hold all files of this in-memory filesystem", e.getMessage());
        fs.writeFile("/a", new byte[10], 0644, 0, 0);
        assertEquals(10, fs.used());
        assertEquals("small: /a: file is 10 bytes, more than the 4 allowed",
                assertThrows(FileSystemException.class, () -> fs.readFile("/a", 4)).getMessage());
        fs.readOnly();
        assertFalse(fs.isWritable());
        assertEquals("small: /c: filesystem is read-only",
                assertThrows(FileSystemException.class, () -> fs.mkdir("/c", 0755, 0, 0)).getMessage());
    }

    @Test
    void refusesNonsense() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("t").file("/f", "x");
        assertEquals("t: relative: not an absolute path inside the guest",
                assertThrows(FileSystemException.class, () -> fs.stat("relative")).getMessage());
        assertEquals("t: /f/g: f is not a directory",
                assertThrows(FileSystemException.class, () -> fs.writeText("/f/g", "")).getMessage());
        assertEquals("t: /f: already exists", assertThrows(FileSystemException.class, () -> fs.symlink("/f", "x")).getMessage());
        assertEquals("t: /: cannot delete this directory", assertThrows(FileSystemException.class, () -> fs.delete("/")).getMessage());
        assertEquals("t: /f: not a symlink", assertThrows(FileSystemException.class, () -> fs.readlink("/f")).getMessage());
    }
}
