package org.xen2kvm.fs.ext;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xen2kvm.image.RawFileDevice;

/**
 * Journals needing recovery are made with debugfs (jo/jw/jc leave committed, revoked and
 * uncommitted transactions behind); e2fsck -fy on a copy is the oracle for the replayed result.
 */
class ExtJournalReplayTest {
    @TempDir
    static Path work;
    static Path src;

    @BeforeAll
    static void buildSource() throws Exception {
        ExtImages.requireTools();
        src = SourceTree.build(work.resolve("src"), false, false);
    }

    record Case(ExtImages.Variant variant, boolean checksums) {
        @Override
        public String toString() {
            return variant + (checksums ? " journal csum v3" : "");
        }
    }

    static List<Case> cases() {
        return List.of(new Case(ExtImages.EXT4_4K, true), new Case(ExtImages.EXT4_4K, false),
                new Case(ExtImages.EXT4_32BIT, false), new Case(ExtImages.EXT3, false), new Case(ExtImages.EXT4_1K, true));
    }

    private static long bmap(Path img, String path) throws Exception {
        return Long.parseLong(ExtImages.debugfs(img, "bmap " + path + " 0").trim());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void replaysCommittedTransactionsLikeE2fsck(Case c, @TempDir Path dir) throws Exception {
        Path img = ExtImages.mkfs(c.variant(), dir, src);
        int bs = c.variant().options()[1].equals("4096") ? 4096 : 1024;
        long hello = bmap(img, "/hello.txt");
        long grub = bmap(img, "/etc/default/grub");
        long shadow = bmap(img, "/etc/shadow");
        Path replayed = dir.resolve("replayed.bin");
        Path revokedData = dir.resolve("revoked.bin");
        Path escaped = dir.resolve("escaped.bin");
        Files.write(replayed, Arrays.copyOf("REPLAYED\n".getBytes(StandardCharsets.US_ASCII), bs));
        Files.write(revokedData, Arrays.copyOf("REVOKED\n".getBytes(StandardCharsets.US_ASCII), bs));
        // A block starting with the jbd2 magic is stored escaped in the journal.
        byte[] magic = new byte[bs];
        JournalReplay.putBe32(magic, 0, JournalReplay.MAGIC);
        magic[4] = 'M';
        Files.write(escaped, magic);
        String script = String.join("\n",
                c.checksums() ? "jo -c" : "jo",
                "jw -b " + hello + " " + replayed,
                "jw -b " + grub + " " + revokedData,
                "jw -r " + grub,
                "jw -b " + shadow + " " + escaped,
                "jw -b " + hello + " -c " + revokedData,
                "jc", "");
        Path scriptFile = dir.resolve("journal.cmds");
        Files.writeString(scriptFile, script);
        ExtImages.Result r = ExtImages.run("debugfs", "-w", "-f", scriptFile.toString(), img.toString());
        assertEquals(0, r.exit(), r.out());
        assertTrue(ExtImages.run("dumpe2fs", "-h", img.toString()).out().contains("needs_recovery"), "debugfs left no journal to replay");

        Path oracle = dir.resolve("oracle.img");
        Files.copy(img, oracle, StandardCopyOption.REPLACE_EXISTING);
        ExtImages.Result fsck = ExtImages.run("e2fsck", "-fy", oracle.toString());
        assertTrue(fsck.exit() <= 1, fsck.out());
        byte[] helloExpected = ExtImages.debugfsCat(oracle, "/hello.txt");
        byte[] grubExpected = ExtImages.debugfsCat(oracle, "/etc/default/grub");
        byte[] shadowExpected = ExtImages.debugfsCat(oracle, "/etc/shadow");
        assertArrayEquals(Arrays.copyOf("REPLAYED\n".getBytes(StandardCharsets.US_ASCII), helloExpected.length), helloExpected);
        assertArrayEquals(Files.readAllBytes(src.resolve("etc/default/grub")), grubExpected, "the revoke must win");

        byte[] before = Files.readAllBytes(img);
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
            assertArrayEquals(helloExpected, fs.readFile("/hello.txt", 1 << 20));
            assertArrayEquals(grubExpected, fs.readFile("/etc/default/grub", 1 << 20));
            assertArrayEquals(shadowExpected, fs.readFile("/etc/shadow", 1 << 20));
        }
        assertArrayEquals(before, Files.readAllBytes(img), "a read-only open must not touch the image");

        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            assertFalse(fs.info().features().contains("needs_recovery"));
            fs.writeText("/after-replay", "written after replay\n");
        }
        ExtImages.assertFsckClean(img);
        assertArrayEquals(helloExpected, ExtImages.debugfsCat(img, "/hello.txt"));
        assertArrayEquals(grubExpected, ExtImages.debugfsCat(img, "/etc/default/grub"));
        assertArrayEquals(shadowExpected, ExtImages.debugfsCat(img, "/etc/shadow"));
        assertArrayEquals("written after replay\n".getBytes(StandardCharsets.UTF_8), ExtImages.debugfsCat(img, "/after-replay"));
    }

    @Test
    void emptyJournalFlaggedForRecoveryJustClearsTheFlag(@TempDir Path dir) throws Exception {
        Path img = ExtImages.mkfs(ExtImages.EXT4_4K, dir, src);
        ExtImages.Result r = ExtImages.run("debugfs", "-w", "-R", "feature needs_recovery", img.toString());
        assertEquals(0, r.exit(), r.out());
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
            assertEquals("hello, ext\n", fs.readText("/hello.txt"));
        }
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            fs.writeText("/x", "y");
        }
        ExtImages.assertFsckClean(img);
        assertFalse(ExtImages.run("dumpe2fs", "-h", img.toString()).out().contains("needs_recovery"));
    }
}
