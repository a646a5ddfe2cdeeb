package org.xen2kvm.kmod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.xen2kvm.testutil.ExternalTool;

/**
 * A real kernel's module tree for tests: Debian 12's linux-image-*-cloud-amd64 package from
 * {@code testdata/fetch-kernel-package.sh} (shared with the package tests), unpacked once per JVM with {@code dpkg-deb -x} into a
 * temporary directory (removed at exit). Skips locally, fails under CI, when the package cannot be had.
 */
final class DebianKernel {
    private static Path root;
    private static String release;

    private DebianKernel() {
    }

    /** The unpacked package: {@code ROOT/lib/modules/RELEASE/...}. */
    static synchronized Path root() throws IOException, InterruptedException {
        if (root == null) {
            Path script = ExternalTool.projectRoot().resolve("testdata/fetch-kernel-package.sh");
            ExternalTool.Result r = ExternalTool.run(List.of("sh", script.toString()));
            String deb = r.output().lines().filter(l -> l.startsWith("deb=")).map(l -> l.substring(4).trim())
                    .reduce((a, b) -> b).orElse("");
            ExternalTool.requireThat(r.exitCode() == 0 && !deb.isEmpty() && Files.isRegularFile(Path.of(deb)),
                    "testdata/fetch-kernel-package.sh could not fetch the Debian kernel package: " + r.output());
            Path dir = Files.createTempDirectory("xen2kvm-kmod-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            ExternalTool.Result x = ExternalTool.run(List.of("dpkg-deb", "-x", deb, dir.toString()));
            if (x.exitCode() != 0) {
                throw new AssertionError("dpkg-deb -x " + deb + " failed: " + x.output());
            }
            try (Stream<Path> s = Files.list(dir.resolve("lib/modules"))) {
                release = s.map(p -> p.getFileName().toString()).findFirst().orElseThrow();
            }
            root = dir;
        }
        return root;
    }

    static synchronized String release() throws IOException, InterruptedException {
        root();
        return release;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
