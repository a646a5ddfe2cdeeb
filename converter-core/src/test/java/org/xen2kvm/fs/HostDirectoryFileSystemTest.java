package org.xen2kvm.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostDirectoryFileSystemTest {
    @TempDir
    Path tmp;

    @Test
    void symlinksResolveInsideTheDirectory() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("guest"));
        Files.createDirectories(root.resolve("usr/lib/modules/6.1"));
        Files.writeString(root.resolve("usr/lib/modules/6.1/modules.order"), "kernel/a.ko\n");
        Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/usr/lib/modules"));
        Files.createSymbolicLink(root.resolve("escape"), Path.of("../../../.."));
        Files.writeString(tmp.resolve("outside"), "host file");
        try (HostDirectoryFileSystem fs = new HostDirectoryFileSystem(root)) {
            assertEquals("kernel/a.ko\n", fs.readText("/lib/modules/6.1/modules.order"));
            assertEquals(List.of("6.1"), fs.list("/abs"));
            assertEquals(FileType.SYMLINK, fs.lstat("/lib").orElseThrow().type());
            assertEquals(FileType.DIRECTORY, fs.stat("/lib").orElseThrow().type());
            // ".." stops at the guest's root, as in a chroot: the host file beside it is not reachable.
            assertTrue(fs.stat("/escape/outside").isEmpty());
            assertEquals(List.of("abs", "escape", "lib", "usr"), fs.list("/escape"));
            assertThrows(FileSystemException.class, () -> fs.writeText("/x", "y"));
        }
    }
}
