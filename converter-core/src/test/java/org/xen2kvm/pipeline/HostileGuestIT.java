package org.xen2kvm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.ExternalTool;
import org.xen2kvm.testutil.Hashes;

/**
 * Hostile guests (issue 9): symlinks that point at host paths or loop, a directory cycle, a
 * 10 GiB sparse file and a 100 MB grub.cfg in /boot, 20,000 (or 100,000) files in /etc/modprobe.d. Each
 * is converted or inspected by the real pipeline in a child JVM limited to 300 MiB of heap
 * that must finish within 30 s, under a guard that fails on any opening of the host's
 * /etc/passwd, /etc/shadow, /etc/fstab and the like ({@link HostileGuestRun}).
 */
class HostileGuestIT {
    static final int TIME_LIMIT_S = 30;
    static final String HEAP = "-Xmx300m";
    static final String MARKER = "guest-only-marker-7f3c2a";

    /** What a child run printed, how it ended and what it cost. */
    record Run(int exit, String out, long millis, long peakHeapMiB, long peakRssKiB) {
        List<String> lines(String prefix) {
            return out.lines().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    private static Map<String, String> hostHashes;

    @BeforeAll
    static void tools() throws Exception {
        ExternalTool.require("mkfs.ext4", "debugfs");
        hostHashes = new TreeMap<>();
        for (String f : List.of("/etc/passwd", "/etc/group", "/etc/fstab")) {
            if (Files.isReadable(Path.of(f))) {
                hostHashes.put(f, Hashes.sha256(Path.of(f)));
            }
        }
    }

    // ------------------------------------------------------------------ guests

    /** The demo guest's tree (testdata/examples/demo-root) copied to {@code dir/tree}. */
    static Path demoTree(Path dir) throws IOException {
        Path src = ExternalTool.projectRoot().resolve("testdata/examples/demo-root");
        Path tree = dir.resolve("tree");
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = tree.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return tree;
    }

    /** mkfs.ext4 -d of {@code tree}, then each debugfs -w request; returns the guest's xl config. */
    static Path guest(Path dir, Path tree, String size, List<String> mkfsOptions, String... debugfs) throws Exception {
        Path disk = dir.resolve("disk.img");
        List<String> cmd = new ArrayList<>(List.of("mkfs.ext4", "-q", "-F", "-L", "hostile", "-E", "root_owner=0:0"));
        cmd.addAll(mkfsOptions);
        cmd.addAll(List.of("-d", tree.toString(), disk.toString(), size));
        ExternalTool.Result r = ExternalTool.run(cmd);
        assertEquals(0, r.exitCode(), r.output());
        for (String req : debugfs) {
            ExternalTool.Result d = ExternalTool.run(List.of("debugfs", "-w", "-R", req, disk.toString()));
            assertEquals(0, d.exitCode(), d.output());
        }
        Path cfg = dir.resolve("hostile.cfg");
        Files.writeString(cfg, "name = 'hostile'\nmemory = 256\nvcpus = 1\n"
                + "kernel = '/boot/vmlinuz-6.1.0-28-amd64'\nramdisk = '/boot/initrd.img-6.1.0-28-amd64'\n"
                + "root = '/dev/xvda2 ro'\nextra = 'console=hvc0'\n"
                + "disk = [ 'file:" + disk + ",xvda2,w' ]\n");
        return cfg;
    }

    // ------------------------------------------------------------------ child runs

    /** Runs {@link HostileGuestRun} in a child JVM and checks the time, memory and host-file bounds. */
    static Run child(String mode, Path cfg, Path out) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, HEAP, "-Djava.security.manager=allow",
                "-cp", System.getProperty("java.class.path"), HostileGuestRun.class.getName(), mode, cfg.toString()));
        if (out != null) {
            cmd.add(out.toString());
        }
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder text = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                text.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.append("reading output: ").append(e);
            }
        });
        reader.start();
        if (!p.waitFor(TIME_LIMIT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            reader.join();
            fail(mode + " " + cfg + " took over " + TIME_LIMIT_S + " s:\n" + tail(text.toString()));
        }
        reader.join();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String s = text.toString();
        Run run = new Run(p.exitValue(), s, ms, number(s, "PEAK-HEAP-MIB: "), number(s, "PEAK-RSS-KIB: "));
        System.out.printf("hostile %s %s: exit %d, %d ms, peak heap %d MiB, peak RSS %d MiB %s%n", mode,
                StackWalker.getInstance().walk(f -> f.skip(1).findFirst().orElseThrow().getMethodName()), run.exit(), ms,
                run.peakHeapMiB(), run.peakRssKiB() >> 10, run.lines("ERROR"));
        assertTrue(run.lines("HOST-ACCESS").isEmpty(), "a host file was opened:\n" + s);
        assertTrue(run.exit() == 0 || run.exit() == 1, "crashed (exit " + run.exit() + "):\n" + tail(s));
        // The heap bound is -Xmx300m: going over it is an OutOfMemoryError, exit 3 above. RSS is reported only.
        assertTrue(run.peakHeapMiB() > 0 && run.peakHeapMiB() < 300, "peak heap " + run.peakHeapMiB() + " MiB:\n" + tail(s));
        for (var e : hostHashes.entrySet()) {
            assertEquals(e.getValue(), Hashes.sha256(Path.of(e.getKey())), "host " + e.getKey() + " changed");
            assertFalse(Files.readString(Path.of(e.getKey())).contains(MARKER), "host " + e.getKey() + " got the guest's text");
        }
        return run;
    }

    private static long number(String s, String prefix) {
        return s.lines().filter(l -> l.startsWith(prefix)).map(l -> Long.parseLong(l.substring(prefix.length()).strip()))
                .findFirst().orElse(-1L);
    }

    private static String tail(String s) {
        return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
    }

    static String debugfsCat(Path img, String path) throws Exception {
        return ExternalTool.run(List.of("debugfs", "-R", "cat " + path, img.toString())).output();
    }

    // ------------------------------------------------------------------ cases

    @Test
    void symlinksToHostPathsResolveInsideTheGuest(@TempDir Path dir) throws Exception {
        Path tree = demoTree(dir);
        Path etc = tree.resolve("etc");
        // The guest's own /etc/passwd holds an fstab; /etc/fstab points at it absolutely.
        Files.delete(etc.resolve("fstab"));
        Files.writeString(etc.resolve("passwd"), "# " + MARKER + "\n/dev/xvda2 / ext4 errors=remount-ro," + "user_xattr 0 1\n");
        Files.createSymbolicLink(etc.resolve("fstab"), Path.of("/etc/passwd"));
        // grub.cfg escapes with ../ far past the root: it must land on the guest's /etc/shadow.
        Files.createDirectories(tree.resolve("boot/grub"));
        Files.writeString(etc.resolve("shadow"), "# " + MARKER + "\nmenuentry 'Debian' {\n"
                + "  linux /boot/vmlinuz-6.1.0-28-amd64 root=/dev/xvda2 ro console=hvc0\n"
                + "  initrd /boot/initrd.img-6.1.0-28-amd64\n}\n");
        Files.createSymbolicLink(tree.resolve("boot/grub/grub.cfg"), Path.of("../../../../../../etc/shadow"));
        Files.writeString(etc.resolve("group"), "# " + MARKER + "\nid:2:initdefault:\nco:2345:respawn:/sbin/getty hvc0 9600 vt100\n");
        Files.createSymbolicLink(etc.resolve("inittab"), Path.of("../../../../etc/group"));
        Path cfg = guest(dir, tree, "64M", List.of());
        Path disk = cfg.resolveSibling("disk.img");
        String before = Hashes.sha256(disk);

        Run inspect = child("inspect", cfg, null);
        assertEquals(0, inspect.exit(), inspect.out());
        // The fstab read is the guest's /etc/passwd (its options), the bootloader the guest's shadow.
        assertTrue(inspect.out().contains("user_xattr"), inspect.out());

        Path out = dir.resolve("kvm");
        Run conv = child("convert", cfg, out);
        assertEquals(0, conv.exit(), conv.out());
        assertEquals(before, Hashes.sha256(disk));
        Path vda = out.resolve("hostile-vda.raw");
        // Edits wrote through the symlinks into the guest's files, inside the converted image.
        String passwd = debugfsCat(vda, "/etc/passwd");
        assertTrue(passwd.contains(MARKER) && passwd.contains("/dev/vda"), passwd);
        String group = debugfsCat(vda, "/etc/group");
        assertTrue(group.contains(MARKER), group);
        assertTrue(debugfsCat(vda, "/etc/shadow").contains(MARKER));
    }

    @Test
    void symlinkLoopsFailWithOneLine(@TempDir Path dir) throws Exception {
        Path tree = demoTree(dir);
        Path etc = tree.resolve("etc");
        Files.delete(etc.resolve("fstab"));
        Files.createSymbolicLink(etc.resolve("fstab"), Path.of("/etc/fstab2"));
        Files.createSymbolicLink(etc.resolve("fstab2"), Path.of("fstab"));
        Files.createSymbolicLink(etc.resolve("inittab"), Path.of("inittab"));
        Path cfg = guest(dir, tree, "64M", List.of());
        Run inspect = child("inspect", cfg, null);
        Run conv = child("convert", cfg, dir.resolve("kvm"));
        for (Run r : List.of(inspect, conv)) {
            String msg = String.join("\n", r.lines("ERROR")) + String.join("\n", r.lines("WARNING"));
            assertTrue(msg.contains("/etc/fstab") && msg.contains("symbolic links"), r.out());
        }
    }

    @Test
    void aDirectoryCycleTerminates(@TempDir Path dir) throws Exception {
        Path tree = demoTree(dir);
        Files.createDirectories(tree.resolve("etc/modprobe.d/sub"));
        Files.writeString(tree.resolve("etc/modprobe.d/xen.conf"), "alias eth0 xennet\n");
        // Entries pointing back at ancestors: /etc/modprobe.d/sub/up is /etc, /etc/modprobe.d/loop is /.
        Path cfg = guest(dir, tree, "64M", List.of(), "ln /etc /etc/modprobe.d/sub/up", "ln / /etc/modprobe.d/loop",
                "ln /etc/modprobe.d /etc/modprobe.d/sub/self");
        Run inspect = child("inspect", cfg, null);
        assertEquals(0, inspect.exit(), inspect.out());
        Run conv = child("convert", cfg, dir.resolve("kvm"));
        assertEquals(0, conv.exit(), conv.out());
    }

    static void sparse(Path file, long size) throws IOException {
        Files.deleteIfExists(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    @Test
    void aBootInitrdTooLargeForTheHeapFailsNamingItsSize(@TempDir Path dir) throws Exception {
        Path tree = demoTree(dir);
        // Under CopyBootFiles' 512 MiB cap, over what -Xmx300m holds: this was an OutOfMemoryError.
        sparse(tree.resolve("boot/initrd.img-6.1.0-28-amd64"), 400L << 20);
        Path cfg = guest(dir, tree, "64M", List.of());
        Run conv = child("convert", cfg, dir.resolve("kvm"));
        assertEquals(1, conv.exit(), conv.out());
        assertTrue(conv.lines("ERROR").get(0).contains("/boot/initrd.img-6.1.0-28-amd64 is 419430400 bytes"), conv.out());
    }

    @Test
    void tenGibSparseFilesInBootAreNotRead(@TempDir Path dir) throws Exception {
        Path tree = demoTree(dir);
        for (String name : List.of("initrd.img-fake", "vmlinuz-huge", "initrd.img-7.0.0-huge", "vmlinuz-7.0.0-huge")) {
            sparse(tree.resolve("boot/" + name), 10L << 30);
        }
        Path cfg = guest(dir, tree, "64M", List.of());
        Run inspect = child("inspect", cfg, null);
        assertEquals(0, inspect.exit(), inspect.out());
        Run conv = child("convert", cfg, dir.resolve("kvm"));
        assertEquals(0, conv.exit(), conv.out());
    }

    @Test
    void aTenGibBootInitrdFailsNamingItsSize(@TempDir Path dir) throws Exception {
        Path tree = demoTree(dir);
        sparse(tree.resolve("boot/initrd.img-6.1.0-28-amd64"), 10L << 30);
        Path cfg = guest(dir, tree, "64M", List.of());
        Run inspect = child("inspect", cfg, null);
        assertEquals(0, inspect.exit(), inspect.out());
        Run conv = child("convert", cfg, dir.resolve("kvm"));
        assertEquals(1, conv.exit(), conv.out());
        assertTrue(conv.lines("ERROR").get(0).contains("/boot/initrd.img-6.1.0-28-amd64")
                && conv.out().contains("10737418240"), conv.out());
    }

    @Test
    void aLargeBootInitrdFitsTheMemoryBound(@TempDir Path dir) throws Exception {
        Path tree = demoTree(dir);
        // Under the 256 MiB the initrd checks read and the 225 MiB a 300 MiB heap lets be copied.
        sparse(tree.resolve("boot/initrd.img-6.1.0-28-amd64"), 200L << 20);
        Path cfg = guest(dir, tree, "64M", List.of());
        Run inspect = child("inspect", cfg, null);
        assertEquals(0, inspect.exit(), inspect.out());
        Run conv = child("convert", cfg, dir.resolve("kvm"));
        assertEquals(0, conv.exit(), conv.out());
    }

    @Test
    void aHundredMegabyteGrubCfgIsRefusedWithItsSize(@TempDir Path dir) throws Exception {
        Path tree = demoTree(dir);
        Path grub = Files.createDirectories(tree.resolve("boot/grub")).resolve("grub.cfg");
        String entry = "menuentry 'Debian' {\n  linux /boot/vmlinuz-6.1.0-28-amd64 root=/dev/xvda2 ro console=hvc0\n"
                + "  initrd /boot/initrd.img-6.1.0-28-amd64\n}\n";
        try (var w = Files.newBufferedWriter(grub)) {
            for (long n = 0; n < 100_000_000; n += entry.length()) {
                w.write(entry);
            }
        }
        Path cfg = guest(dir, tree, "256M", List.of());
        Run inspect = child("inspect", cfg, null);
        Run conv = child("convert", cfg, dir.resolve("kvm"));
        for (Run r : List.of(inspect, conv)) {
            assertTrue(r.out().contains("/boot/grub/grub.cfg") && r.out().contains("1000000"), r.out());
        }
    }

    /**
     * Names in /etc/modprobe.d. mkfs.ext4 -d adds each to an unindexed directory in quadratic
     * time (140 s for 100,000 hard links on 2 cores), so tests use 20,000 unless
     * {@code -Dhostile.modprobeFiles=100000} asks for the full case.
     */
    static final int MODPROBE_FILES = Integer.getInteger("hostile.modprobeFiles", 20_000);

    @Test
    void tensOfThousandsOfFilesInModprobeD(@TempDir Path dir) throws Exception {
        Path tree = demoTree(dir);
        Path d = Files.createDirectories(tree.resolve("etc/modprobe.d"));
        // Hard links keep the image small; a file may have at most 65,000 of them.
        Path first = null;
        for (int i = 0; i < MODPROBE_FILES; i++) {
            Path f = d.resolve("m" + i + ".conf");
            if (i % 50_000 == 0) {
                first = f;
                Files.writeString(f, "options loop max_loop=8\n");
            } else {
                Files.createLink(f, first);
            }
        }
        long t0 = System.nanoTime();
        Path cfg = guest(dir, tree, "128M", List.of());
        System.out.printf("hostile modprobe.d: tree and mkfs.ext4 -d took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        Run inspect = child("inspect", cfg, null);
        assertEquals(0, inspect.exit(), inspect.out());
        Run conv = child("convert", cfg, dir.resolve("kvm"));
        assertEquals(0, conv.exit(), tail(conv.out()));
        assertTrue(conv.out().contains("/etc/modprobe.d: " + MODPROBE_FILES + " entries; only the first 1000 (by name) examined"), tail(conv.out()));
    }
}
