package org.xen2kvm.image.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.testutil.ExternalTool;

/** Runs qemu-img, the oracle for every image this package writes. */
public final class QemuImg {
    private QemuImg() {
    }

    /** Skips the test when qemu-img is missing, except in CI where that is a failure. */
    public static void require() {
        ExternalTool.require("qemu-img");
    }

    /** Exit code and combined output. */
    public record Result(int exitCode, String output) {
    }

    public static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("qemu-img");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    /** Asserts qemu-img finds {@code out} (in {@code outFormat}) identical to raw {@code src}. */
    public static void assertIdentical(Path src, Path out, String outFormat) throws IOException, InterruptedException {
        Result r = run("compare", "-f", "raw", "-F", outFormat, src.toString(), out.toString());
        assertEquals(0, r.exitCode(), "qemu-img compare: " + r.output());
        assertTrue(r.output().contains("Images are identical"), r.output());
    }

    /** Asserts qemu-img check finds no errors and no leaks. */
    public static void assertCheckClean(Path qcow2) throws IOException, InterruptedException {
        Result r = run("check", "-f", "qcow2", qcow2.toString());
        assertEquals(0, r.exitCode(), "qemu-img check: " + r.output());
        assertTrue(r.output().contains("No errors were found"), r.output());
    }
}
