package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import org.xen2kvm.testutil.ExternalTool;

/** {@code disk info} run in-process on images made by qemu-img. */
class DiskInfoCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void tools() {
        ExternalTool.require("qemu-img");
    }

    private int execute(String... args) {
        CommandLine cl = new CommandLine(new DiskInfoCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private void qemuImg(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "qemu-img";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
    }

    private Path chain() throws Exception {
        qemuImg("create", "-f", "raw", "base.raw", "16M");
        qemuImg("create", "-f", "qcow2", "-b", "base.raw", "-F", "raw", "top.qcow2", "32M");
        return dir.resolve("top.qcow2");
    }

    @Test
    void textShowsTheImageAndItsBackingFile() throws Exception {
        Path top = chain();
        assertEquals(0, execute(top.toString()), err.toString());
        String text = out.toString();
        Pattern expected = Pattern.compile("""
                image: \\Q%s\\E
                file format: qcow2
                virtual size: 32 MiB \\(33554432 bytes\\)
                disk size: [0-9.]+ KiB \\([0-9]+ bytes\\)
                qcow2 version: 3
                compat: 1.1
                cluster size: 65536
                refcount bits: 16
                backing file: base.raw
                backing file format: raw
                backing image 1:
                  image: \\Q%s\\E
                  file format: raw
                  virtual size: 16 MiB \\(16777216 bytes\\)
                  disk size: [0-9.]+ (B|KiB) \\([0-9]+ bytes\\)
                """.formatted(top, dir.resolve("base.raw")));
        assertTrue(expected.matcher(text).matches(), text);
        assertEquals("", err.toString());
    }

    @Test
    void jsonShowsTheSameFacts() throws Exception {
        Path top = chain();
        assertEquals(0, execute("--json", "--src-format", "qcow2", top.toString()), err.toString());
        Pattern expected = Pattern.compile(("\\{\"filename\":\"\\Q%s\\E\",\"format\":\"qcow2\",\"virtual-size\":33554432,"
                + "\"allocated-bytes\":[0-9]+,\"details\":\\{\"qcow2 version\":\"3\",\"compat\":\"1.1\","
                + "\"cluster size\":\"65536\",\"refcount bits\":\"16\",\"backing file\":\"base.raw\","
                + "\"backing file format\":\"raw\"\\},\"backing-chain\":\\[\\{\"filename\":\"\\Q%s\\E\","
                + "\"format\":\"raw\",\"virtual-size\":16777216,\"allocated-bytes\":[0-9]+,\"details\":\\{\\}\\}\\]\\}\n")
                .formatted(top, dir.resolve("base.raw")));
        assertTrue(expected.matcher(out.toString()).matches(), out.toString());
    }

    @Test
    void corruptImageExitsWithCodeTwoAndOneLine() throws Exception {
        Path top = chain();
        try (FileChannel ch = FileChannel.open(top, StandardOpenOption.WRITE)) {
            ch.truncate(50);
        }
        assertEquals(2, execute(top.toString()));
        assertEquals("xen2kvm disk info: " + top + ": at offset 50: qcow2 header truncated: the file has 50 bytes,"
                + " the header needs 72" + System.lineSeparator(), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void unknownFormatAndMissingFileAreUsageErrors() throws Exception {
        assertEquals(2, execute("--src-format", "floppy", dir.resolve("x").toString()));
        assertEquals("xen2kvm disk info: unknown --src-format 'floppy'; use raw, qcow, qcow2, vhd or xva"
                + System.lineSeparator(), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, execute(dir.resolve("missing.img").toString()));
        assertEquals("xen2kvm disk info: " + dir.resolve("missing.img") + ": no such file" + System.lineSeparator(),
                err.toString());
    }
}
