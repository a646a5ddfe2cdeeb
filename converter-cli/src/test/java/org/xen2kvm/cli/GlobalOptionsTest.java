package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -q} and {@code -v}: wherever they stand on the command line, and only for the run they are given to. */
class GlobalOptionsTest {
    private static Path image(Path dir) throws IOException {
        Path p = dir.resolve("disk.raw");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(1 << 20);
            f.write(42);
        }
        return p;
    }

    @Test
    void quietAppliesBeforeOrAfterTheSubcommand(@TempDir Path dir) throws IOException {
        Path src = image(dir);
        CliTest.Run before = CliTest.run("-q", "disk", "convert", src.toString(), dir.resolve("a.raw").toString(), "-O", "raw");
        assertEquals(0, before.exit(), before.err());
        assertEquals("", before.out());
        CliTest.Run after = CliTest.run("disk", "convert", src.toString(), dir.resolve("b.raw").toString(), "-O", "raw", "-q");
        assertEquals(0, after.exit(), after.err());
        assertEquals("", after.out());
    }

    @Test
    void quietDoesNotOutliveItsRun(@TempDir Path dir) throws IOException {
        Path src = image(dir);
        assertEquals("", CliTest.run("-q", "disk", "convert", src.toString(), dir.resolve("a.raw").toString(), "-O", "raw").out());
        CliTest.Run next = CliTest.run("disk", "convert", src.toString(), dir.resolve("b.raw").toString(), "-O", "raw");
        assertEquals(0, next.exit(), next.err());
        assertTrue(next.out().startsWith(dir.resolve("b.raw") + ": wrote raw image"), next.out());
    }

    @Test
    void verboseAddsTheStackTraceToAnErrorOnlyInItsRun(@TempDir Path dir) {
        String missing = dir.resolve("none.cfg").toString();
        CliTest.Run verbose = CliTest.run("inspect", missing, "-v");
        assertEquals(2, verbose.exit());
        assertTrue(verbose.err().startsWith("xen2kvm: " + missing + ": no such file\n"), verbose.err());
        assertTrue(verbose.err().contains("\tat "), "no stack trace with -v:\n" + verbose.err());
        CliTest.Run plain = CliTest.run("inspect", missing);
        assertEquals("xen2kvm: " + missing + ": no such file\n", plain.err());
    }
}
