package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.write.OutputIsSourceException;
import picocli.CommandLine;

/** {@code disk convert} never writes its source, whatever name the output is given. */
class DiskConvertSourceGuardTest {
    @TempDir
    Path dir;
    Path src;
    byte[] before;
    final StringWriter err = new StringWriter();

    @BeforeEach
    void source() throws Exception {
        src = dir.resolve("s.img");
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        Files.write(src, data);
        before = sha256(src);
    }

    @AfterEach
    void sourceUnchanged() throws Exception {
        assertArrayEquals(before, sha256(src), "the source was written");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> !p.equals(src) && p.getFileName().toString().endsWith(".part")));
        }
    }

    private static byte[] sha256(Path p) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
    }

    private void refused(Path output, String... extra) {
        refused(src, output, extra);
    }

    private void refused(Path input, Path output, String... extra) {
        CommandLine cl = new CommandLine(new DiskConvertCommand());
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        String[] args = new String[4 + extra.length];
        args[0] = input.toString();
        args[1] = output.toString();
        args[2] = "-O";
        args[3] = "qcow2";
        System.arraycopy(extra, 0, args, 4, extra.length);
        assertEquals(2, cl.execute(args), err.toString());
        assertTrue(err.toString().contains("the source file " + src), err.toString());
    }

    @Test
    void sameFileWithForce() {
        refused(src, "--force");
        assertTrue(err.toString().contains(src + ": output is the source file " + src), err.toString());
    }

    @Test
    void dotVariant() {
        refused(dir.resolve(".").resolve("s.img"), "--force");
    }

    @Test
    void symlinkToTheSource() throws Exception {
        refused(Files.createSymbolicLink(dir.resolve("link.img"), src), "--force");
    }

    @Test
    void hardLinkToTheSource() throws Exception {
        refused(Files.createLink(dir.resolve("hard.img"), src), "--force");
    }

    @Test
    void outputWhosePartFileIsTheSource() throws Exception {
        Path part = dir.resolve("t.img.part");
        Files.move(src, part);
        src = part;
        refused(dir.resolve("t.img"));
    }

    @Test
    void backingFileOfTheSource() throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin/qemu-img"));
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(present, "qemu-img is required in CI (Debian package qemu-utils)");
        }
        assumeTrue(present, "qemu-img not installed (Debian package qemu-utils)");
        Path top = dir.resolve("top.qcow2");
        Process p = new ProcessBuilder(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
                "s.img", top.toString())).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        byte[] topBefore = sha256(top);
        // The output is the backing file of the image converted: s.img, named as the source.
        refused(top, src, "--force");
        assertArrayEquals(topBefore, sha256(top));
    }

    @Test
    void convertMapsTheRefusalToExitTwo() {
        assertTrue(ErrorHandler.isBadInput(new OutputIsSourceException(src, src, "is")));
    }
}
