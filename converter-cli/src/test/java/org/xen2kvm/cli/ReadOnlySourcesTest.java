package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.ExternalTool;
import org.xen2kvm.testutil.Hashes;

/**
 * Sources nobody can write: on a read-only mount, and immutable ({@code chattr +i}, which stops
 * even root). {@code convert} (which edits the guest) and {@code disk convert} succeed on them,
 * which proves nothing opens a source for writing. Both need root, which CI has.
 */
class ReadOnlySourcesTest {
    /** The demo guest of testdata/examples: an ext4 root (edited by convert) and swap, raw images. */
    private static Path demoGuest(Path dir) throws Exception {
        ExternalTool.require("mkfs.ext4", "mkswap");
        Path script = ExternalTool.projectRoot().resolve("testdata/examples/make-example.sh");
        ExternalTool.Result r = ExternalTool.run(List.of("bash", script.toString(), dir.toString()));
        assertEquals(0, r.exitCode(), r.output());
        return Path.of(r.output().strip().lines().reduce((a, b) -> b).orElseThrow());
    }

    private static List<Path> sources(Path cfg) {
        return List.of(cfg, cfg.resolveSibling("disk.img"), cfg.resolveSibling("swap.img"));
    }

    private static List<String> hashes(List<Path> files) throws Exception {
        List<String> h = new ArrayList<>();
        for (Path f : files) {
            h.add(Hashes.sha256(f));
        }
        return h;
    }

    /** Converts the guest and each disk; every run must succeed and write its outputs. */
    private static void convertAll(Path cfg, Path out) {
        CliTest.Run r = CliTest.run("-q", "convert", cfg.toString(), "-o", out.resolve("guest").toString(),
                "-O", "raw", "--domain-type", "qemu");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("guest").resolve("demo-vda.raw")));
        assertTrue(Files.isRegularFile(out.resolve("guest").resolve("demo.xml")));
        for (String disk : List.of("disk.img", "swap.img")) {
            for (String format : List.of("raw", "qcow2")) {
                Path dst = out.resolve(disk + "." + format);
                CliTest.Run d = CliTest.run("-q", "disk", "convert", cfg.resolveSibling(disk).toString(), dst.toString(),
                        "-O", format);
                assertEquals(0, d.exit(), d.err());
                assertTrue(Files.isRegularFile(dst));
            }
        }
    }

    @Test
    void sourcesOnAReadOnlyMountConvert(@TempDir Path dir) throws Exception {
        Path src = Files.createDirectory(dir.resolve("xen"));
        Path cfg = demoGuest(src);
        List<String> before = hashes(sources(cfg));
        // A read-only bind mount of the folder over itself: the config's paths stay valid.
        ExternalTool.Result bind = ExternalTool.run(List.of("mount", "--bind", src.toString(), src.toString()));
        ExternalTool.requireThat(bind.exitCode() == 0, "cannot bind-mount here (needs root): " + bind.output());
        try {
            ExternalTool.Result ro = ExternalTool.run(List.of("mount", "-o", "remount,bind,ro", src.toString()));
            assertEquals(0, ro.exitCode(), ro.output());
            assertThrows(IOException.class, () -> Files.writeString(src.resolve("probe"), "x"),
                    "the mount is not read-only");
            convertAll(cfg, Files.createDirectory(dir.resolve("out")));
        } finally {
            ExternalTool.Result u = ExternalTool.run(List.of("umount", src.toString()));
            assertEquals(0, u.exitCode(), u.output());
        }
        assertEquals(before, hashes(sources(cfg)));
    }

    @Test
    void immutableSourcesConvert(@TempDir Path dir) throws Exception {
        // chattr needs ext4 or xfs: /var/tmp is on the root file system, /tmp may be a tmpfs.
        Path src = Files.createTempDirectory(Path.of("/var/tmp"), "xen2kvm-immutable-");
        List<Path> files = List.of();
        try {
            Path cfg = demoGuest(src);
            files = sources(cfg);
            List<String> before = hashes(files);
            List<String> chattr = new ArrayList<>(List.of("chattr", "+i"));
            files.forEach(f -> chattr.add(f.toString()));
            ExternalTool.Result set = ExternalTool.run(chattr);
            ExternalTool.requireThat(set.exitCode() == 0,
                    "cannot set the immutable flag on /var/tmp (needs root and ext4 or xfs): " + set.output());
            for (Path f : files) {
                String attrs = ExternalTool.run(List.of("lsattr", f.toString())).output();
                assertTrue(attrs.substring(0, attrs.indexOf(' ')).contains("i"), attrs);
            }
            assertThrows(IOException.class, () -> Files.writeString(cfg, "# changed\n"), "chattr +i did not take");
            convertAll(cfg, Files.createDirectory(dir.resolve("out")));
            assertEquals(before, hashes(files));
        } finally {
            if (!files.isEmpty()) {
                List<String> chattr = new ArrayList<>(List.of("chattr", "-i"));
                files.forEach(f -> chattr.add(f.toString()));
                ExternalTool.run(chattr);
            }
            try (Stream<Path> s = Files.walk(src)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
