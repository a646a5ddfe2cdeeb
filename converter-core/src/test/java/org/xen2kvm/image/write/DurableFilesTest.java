package org.xen2kvm.image.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.Tmpfs;

class DurableFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesReplacesAndLeavesNoPart() throws Exception {
        Path f = dir.resolve("a.xml");
        DurableFiles.writeAtomically(f, new byte[] {1, 2}, false);
        assertThrows(OutputExistsException.class, () -> DurableFiles.writeAtomically(f, new byte[] {3}, false));
        DurableFiles.writeAtomically(f, new byte[] {3}, true);
        assertArrayEquals(new byte[] {3}, Files.readAllBytes(f));
        assertFalse(Files.exists(dir.resolve("a.xml.part")));
    }

    @Test
    void aStalePartIsReplacedAndASymlinkedOneNotWrittenThrough() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "keep");
        Files.createSymbolicLink(dir.resolve("a.xml.part"), victim);
        DurableFiles.writeAtomically(dir.resolve("a.xml"), new byte[] {7}, false);
        assertEquals("keep", Files.readString(victim));
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(dir.resolve("a.xml")));
    }

    @Test
    void syncDirectoryOpensAndForcesARealDirectory() {
        // Linux fsyncs a directory opened read-only; this proves the open and force succeed.
        assertDoesNotThrow(() -> DurableFiles.syncDirectory(dir));
        assertThrows(IOException.class, () -> DurableFiles.syncDirectory(dir.resolve("missing")));
    }

    @Test
    void aWriteThatRunsOutOfSpaceLeavesNothing() throws Exception {
        Path mnt = Files.createDirectory(dir.resolve("small"));
        Tmpfs.mount(mnt, "1M");
        try {
            assertThrows(IOException.class,
                    () -> DurableFiles.writeAtomically(mnt.resolve("big"), new byte[4 << 20], false));
            try (var files = Files.list(mnt)) {
                assertEquals(List.of(), files.toList());
            }
        } finally {
            Tmpfs.unmount(mnt);
        }
    }
}
