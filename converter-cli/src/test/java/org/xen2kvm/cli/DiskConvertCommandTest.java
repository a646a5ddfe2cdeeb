package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import org.xen2kvm.testutil.ExternalTool;

class DiskConvertCommandTest {
    @TempDir
    Path dir;
    Path src;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void makeSource() throws IOException {
        src = dir.resolve("disk.img");
        byte[] data = new byte[3 << 20];
        new Random(11).nextBytes(data);
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
            f.setLength(256L << 20);
            f.seek(5L << 20);
            f.write(data);
            f.seek(200L << 20);
            f.write(data, 0, 4096);
        }
    }

    private int run(String... args) {
        CommandLine cl = new CommandLine(new DiskConvertCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private static void requireQemuImg() {
        ExternalTool.require("qemu-img");
    }

    private static int qemuImg(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(args)).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @Test
    void convertsToQcow2() throws Exception {
        requireQemuImg();
        Path dst = dir.resolve("out.qcow2");
        assertEquals(0, run(src.toString(), dst.toString(), "-O", "qcow2", "--src-format", "raw"), err.toString());
        assertTrue(out.toString().startsWith(dst + ": wrote qcow2 image, virtual size 268435456 bytes, "), out.toString());
        assertEquals(0, qemuImg("qemu-img", "compare", "-f", "raw", "-F", "qcow2", src.toString(), dst.toString()));
        assertEquals(0, qemuImg("qemu-img", "check", dst.toString()));
    }

    @Test
    void compressedRawIsUsageError() {
        assertEquals(2, run(src.toString(), dir.resolve("x.raw").toString(), "-O", "raw", "--compress"));
        assertEquals("xen2kvm disk convert: --compress needs -O qcow2: raw images cannot be compressed\n",
                err.toString().replace("\r", ""));
    }

    @Test
    void missingFormatIsUsageError() {
        assertEquals(2, run(src.toString(), dir.resolve("x.raw").toString()));
        assertTrue(err.toString().contains("Missing required option: '-O=raw|qcow2'"), err.toString());
        assertEquals(2, run(src.toString(), dir.resolve("x.raw").toString(), "-O", "vmdk"));
        assertTrue(err.toString().contains("unknown output format 'vmdk'; use raw or qcow2"), err.toString());
    }

    @Test
    void existingOutputIsRefused() throws Exception {
        Path dst = dir.resolve("out.raw");
        Files.writeString(dst, "old");
        assertEquals(2, run(src.toString(), dst.toString(), "-O", "RAW"));
        assertEquals("xen2kvm disk convert: " + dst
                + ": output file already exists; remove it or pass --force to replace it\n",
                err.toString().replace("\r", ""));
        assertEquals("old", Files.readString(dst));
        assertEquals(0, run(src.toString(), dst.toString(), "-O", "raw", "--force"));
        assertEquals(Files.size(src), Files.size(dst));
        assertEquals(-1, Files.mismatch(src, dst));
    }

    @Test
    void missingSourceIsUsageError() {
        Path missing = dir.resolve("nope.img");
        assertEquals(2, run(missing.toString(), dir.resolve("o.raw").toString(), "-O", "raw", "--json"));
        assertEquals("{\"event\":\"error\",\"exitCode\":2,\"message\":\"" + missing
                + ": source image not found\"}\n", out.toString().replace("\r", ""));
    }

    @Test
    void jsonProgressLines() throws Exception {
        Path dst = dir.resolve("out.raw");
        assertEquals(0, run(src.toString(), dst.toString(), "-O", "raw", "--json"), err.toString());
        String[] lines = out.toString().replace("\r", "").split("\n");
        assertTrue(lines.length >= 3, out.toString());
        // First the room the copy needs (the allocated data) and the room there is.
        assertTrue(lines[0].matches("\\{\"event\":\"space\",\"output\":\"" + Pattern.quote(dst.toString())
                + "\",\"dataBytes\":\\d+,\"fileSystem\":\"[^\"]+\",\"freeBytes\":\\d+}"), lines[0]);
        Pattern progress = Pattern.compile("\\{\"event\":\"progress\",\"what\":\"out.raw\",\"done\":(\\d+),\"total\":268435456,\"rate\":\\d+}");
        long lastDone = -1;
        for (int i = 1; i < lines.length - 1; i++) {
            Matcher m = progress.matcher(lines[i]);
            assertTrue(m.matches(), lines[i]);
            long done = Long.parseLong(m.group(1));
            assertTrue(done >= lastDone);
            lastDone = done;
        }
        assertEquals(268435456L, lastDone, "the last progress event reports completion");
        assertTrue(lines[lines.length - 1].matches("\\{\"event\":\"done\",\"output\":\"" + Pattern.quote(dst.toString())
                + "\",\"format\":\"raw\",\"virtualSize\":268435456,\"dataBytes\":\\d+,\"bytesWritten\":\\d+,"
                + "\"seconds\":[0-9.]+}"), lines[lines.length - 1]);
        assertEquals(-1, Files.mismatch(src, dst));
        assertEquals("", err.toString());
    }

    @Test
    void progressWithoutTerminalPrintsTenPercentSteps() {
        Path dst = dir.resolve("out.qcow2");
        assertEquals(0, run(src.toString(), dst.toString(), "-O", "qcow2", "--progress"), err.toString());
        String e = err.toString().replace("\r", "");
        String[] lines = e.split("\n");
        assertTrue(lines[lines.length - 1].matches("out\\.qcow2: 100% [0-9.]+ MiB/s"), e);
        for (String line : lines) {
            assertTrue(line.matches("out\\.qcow2: +\\d+% [0-9.]+ MiB/s"), line);
        }
        assertFalse(Files.exists(dir.resolve("out.qcow2.part")));
        assertTrue(out.toString().contains("wrote qcow2 image"));
    }
}
