package org.xen2kvm.testutil;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real tools that serve as test oracles (virt-xml-validate, qemu-img, e2fsck). */
public final class ExternalTool {
    private ExternalTool() {
    }

    /** Exit code and merged output of a finished command. */
    public record Result(int exitCode, String output) {
    }

    /**
     * Requires a tool on the PATH: in CI (CI=true) a missing tool fails the test, since
     * .ci/run installs it; elsewhere the test is skipped with the reason.
     */
    public static void require(String tool) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                found = true;
                break;
            }
        }
        if (!found && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(tool + " is not installed; .ci/run must install it");
        }
        assumeTrue(found, tool + " is not installed; skipping (CI installs it)");
    }

    public static Result run(List<String> command) throws IOException, InterruptedException {
        require(command.get(0));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
