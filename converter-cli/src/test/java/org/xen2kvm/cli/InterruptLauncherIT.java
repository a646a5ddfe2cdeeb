package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xen2kvm.batch.Plan;
import org.xen2kvm.batch.PlanEntry;
import org.xen2kvm.batch.PlanFiles;
import org.xen2kvm.testutil.ExternalTool;
import org.xen2kvm.testutil.Hashes;

/**
 * SIGTERM and SIGINT in the middle of a disk copy, through the real launcher in a child
 * process: {@code convert} (registering with {@code qemu:///system}) and {@code disk convert}
 * stop within seconds, exit 143 or 130 with one line saying they removed what they wrote, and
 * leave no file in the output directory, no domain, and the sources byte-identical; an
 * interrupted {@code plan run}
 * leaves the guest it was converting pending (not failed) and the next run converts it.
 *
 * <p>The guest is the example guest plus a 2 GiB data disk holding 768 MiB of noise, written
 * as compressed qcow2 so the copy lasts several seconds on any machine.
 */
class InterruptLauncherIT {
    private static final String URI = "qemu:///system";
    private static final long MIB = 1L << 20;
    private static final long RUN_TIMEOUT_SECONDS = 300;
    /** The brief is ~2 s from the signal to the exit; a shared CI machine gets some slack. */
    private static final long STOP_LIMIT_MILLIS = 6000;
    private static final String PREFIX = "cancel-signals-" + Long.toHexString(System.nanoTime() & 0xffffffL);
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path launcher;
    static Path work;
    static Path config;
    static final List<Path> sources = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        String l = System.getProperty("xen2kvm.launcher");
        String examples = System.getProperty("xen2kvm.examples");
        assertTrue(l != null && Files.isExecutable(Path.of(l)), "xen2kvm.launcher: bin/xen2kvm expected");
        launcher = Path.of(l);
        ExternalTool.require("mkfs.ext4", "virsh", "libvirtd", "kill", "env");
        ExternalTool.requireThat(ExternalTool.run(List.of("virsh", "-c", URI, "version")).exitCode() == 0,
                "libvirtd must answer at " + URI);
        Path base = Files.createDirectories(Path.of("/var/tmp/xen2kvm-e2e"));
        work = Files.createTempDirectory(base, PREFIX + "-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process p = new ProcessBuilder(Path.of(examples, "make-example.sh").toString(), work.resolve("src").toString())
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "make-example.sh failed: " + said);
        Path demo = Path.of(said.strip());
        Path data = noise(work.resolve("src/data.img"), 2048 * MIB, 768 * MIB);
        String swap = "'file:" + work.resolve("src/swap.img") + ",xvda1,w',";
        String cfg = Files.readString(demo).replace(swap, swap + "\n            'file:" + data + ",xvdb,w',");
        assertTrue(cfg.contains("xvdb"), cfg);
        config = Files.createDirectories(work.resolve("etc-xen")).resolve("big.cfg");
        Files.writeString(config, cfg);
        try (Stream<Path> s = Files.list(work.resolve("src"))) {
            s.sorted().forEach(sources::add);
        }
        // The first run writes the launcher's class-data archive from a shell that waits for
        // java; later runs exec java, so a signal reaches the JVM itself (as with systemd,
        // which signals the whole control group anyway).
        Child version = Child.start(List.of("--version"));
        assertEquals(0, version.finish(), version.text());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** A sparse image of {@code size} whose first {@code data} bytes after 1 MiB are seeded noise. */
    private static Path noise(Path path, long size, long data) throws IOException {
        Random random = new Random(42);
        byte[] block = new byte[(int) MIB];
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.setLength(size);
            f.seek(MIB);
            for (long w = 0; w < data; w += block.length) {
                random.nextBytes(block);
                f.write(block);
            }
        }
        return path;
    }

    @Test
    void convertStopsOnSigtermAndLeavesNothing() throws Exception {
        convertInterrupted("TERM", 143);
    }

    @Test
    void convertStopsOnSigintAndLeavesNothing() throws Exception {
        convertInterrupted("INT", 130);
    }

    private void convertInterrupted(String signal, int expectedExit) throws Exception {
        String name = PREFIX + "-" + signal.toLowerCase(Locale.ROOT);
        Path out = Files.createDirectories(work.resolve("out-" + signal));
        Map<Path, String> before = hashes();
        Child c = Child.start(List.of("convert", "-v", "-c", URI, "--domain-type", "qemu", "--name", name,
                "-o", out.toString(), "--compress", config.toString()));
        try {
            // Into the big disk's copy, with some of it written.
            c.awaitLine(line -> line.startsWith("== copy: ") && line.contains("data.img"));
            awaitPart(out, 64 * MIB, c.process);
            long t0 = System.nanoTime();
            if (signal.equals("TERM")) {
                // SIGTERM on Linux. Not Process.destroy(): it also closes our end of the pipes,
                // and the child's last line would be lost.
                c.process.toHandle().destroy();
            } else {
                ExternalTool.Result k = ExternalTool.run(List.of("kill", "-INT", Long.toString(c.process.pid())));
                assertEquals(0, k.exitCode(), k.output());
            }
            assertTrue(c.process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS), "no exit after SIG" + signal);
            long stopMillis = (System.nanoTime() - t0) / 1_000_000;
            c.reader.join(10_000);
            System.out.printf(Locale.ROOT, "InterruptLauncherIT convert SIG%s: exit %d, %d ms from the signal%n",
                    signal, c.process.exitValue(), stopMillis);
            assertEquals(expectedExit, c.process.exitValue(), c.text());
            assertTrue(c.text().contains("xen2kvm: interrupted (SIG" + signal + "); removed what this run wrote"),
                    c.text());
            assertTrue(stopMillis <= STOP_LIMIT_MILLIS, stopMillis + " ms from SIG" + signal + " to the exit");
            assertEquals(List.of(), listing(out), "files left in the output directory");
            assertEquals(before, hashes(), "a source changed");
            assertTrue(ExternalTool.run(List.of("virsh", "-c", URI, "dominfo", name)).exitCode() != 0,
                    "libvirt holds a domain " + name);
        } finally {
            c.process.destroyForcibly();
            ExternalTool.run(List.of("virsh", "-c", URI, "undefine", name));
        }
    }

    @Test
    void diskConvertStopsOnSigtermAndLeavesNothing() throws Exception {
        Path out = Files.createDirectories(work.resolve("out-disk"));
        Map<Path, String> before = hashes();
        Child c = Child.start(List.of("disk", "convert", "--compress", work.resolve("src/data.img").toString(),
                out.resolve("data.qcow2").toString(), "-O", "qcow2"));
        awaitPart(out, 64 * MIB, c.process);
        long t0 = System.nanoTime();
        c.process.toHandle().destroy();
        assertEquals(143, c.finish(), c.text());
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf(Locale.ROOT, "InterruptLauncherIT disk convert SIGTERM: %d ms from the signal%n", stopMillis);
        assertTrue(c.text().contains("xen2kvm disk convert: interrupted (SIGTERM); removed what this run wrote"),
                c.text());
        assertTrue(stopMillis <= STOP_LIMIT_MILLIS, stopMillis + " ms from SIGTERM to the exit");
        assertEquals(List.of(), listing(out), "files left in the output directory");
        assertEquals(before, hashes(), "a source changed");
    }

    @Test
    void planRunInterruptedLeavesTheGuestPendingAndTheNextRunConvertsIt() throws Exception {
        Path dir = Files.createDirectories(work.resolve("plan"));
        Path planFile = dir.resolve("host.yaml");
        Path out = dir.resolve("out");
        Child create = Child.start(List.of("plan", "create", config.getParent().toString(), "--output",
                planFile.toString(), "-o", out.toString(), "--domain-type", "qemu"));
        assertEquals(0, create.finish(), create.text());
        // Compressed, so the copy lasts long enough to be interrupted in the middle.
        Plan p = PlanFiles.read(planFile);
        assertEquals(1, p.guests().size(), p.guests().toString());
        PlanEntry e = p.guests().get(0);
        PlanFiles.write(new Plan(p.version(), p.sources(), p.defaults(), p.pre(), p.post(), p.hookTimeoutSeconds(),
                p.warnings(), p.skipped(), List.of(new PlanEntry(e.name(), e.source(), e.format(), e.uuid(), e.macs(),
                        e.disks(), e.target(), e.wave(), e.skip(), Map.of("compress", true), e.pre(), e.post(),
                        e.error()))), planFile);
        Map<Path, String> before = hashes();

        Child run = Child.start(List.of("plan", "run", planFile.toString()));
        awaitPart(out, 64 * MIB, run.process);
        run.process.toHandle().destroy();
        assertEquals(143, run.finish(), run.text());
        assertTrue(run.text().contains("xen2kvm: interrupted (SIGTERM); the conversions under way were undone"),
                run.text());
        assertEquals(List.of(), listing(out), "files left in the output directory");
        assertEquals(before, hashes(), "a source changed");
        Child status = Child.start(List.of("plan", "status", planFile.toString(), "--json"));
        status.finish();
        JsonNode guest = JSON.readTree(status.stdout()).get("guests").get(0);
        assertEquals("pending", guest.get("state").asText(), guest.toString());
        assertTrue(guest.get("error").asText().startsWith("interrupted (SIGTERM)"), guest.toString());
        assertTrue(Files.readString(dir.resolve("host.report.md")).contains("interrupted (SIGTERM)"),
                "the report does not say the run was interrupted");

        Child again = Child.start(List.of("plan", "run", planFile.toString()));
        assertEquals(0, again.finish(), again.text());
        status = Child.start(List.of("plan", "status", planFile.toString(), "--json"));
        status.finish();
        assertEquals("done", JSON.readTree(status.stdout()).get("guests").get(0).get("state").asText());
        assertTrue(listing(out).contains(e.targetName() + "-vdb.qcow2"), listing(out).toString());
        assertEquals(before, hashes(), "a source changed");
    }

    /**
     * Waits until a {@code .part} in {@code dir} holds at least {@code bytes}: the big disk's
     * copy is under way (the example's own disks are smaller).
     */
    private static void awaitPart(Path dir, long bytes, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_SECONDS);
        while (!partHolds(dir, bytes)) {
            assertTrue(p.isAlive(), "the run ended before a .part in " + dir + " held " + bytes + " bytes");
            assertTrue(System.nanoTime() < deadline, "no .part in " + dir + " ever held " + bytes + " bytes");
            Thread.sleep(20);
        }
    }

    private static boolean partHolds(Path dir, long bytes) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(f -> f.toString().endsWith(".part")).toList()) {
                try {
                    if (Files.size(f) >= bytes) {
                        return true;
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // renamed meanwhile
                }
            }
        }
        return false;
    }

    private static Map<Path, String> hashes() throws Exception {
        Map<Path, String> m = new TreeMap<>();
        for (Path f : sources) {
            m.put(f, Hashes.sha256(f));
        }
        return m;
    }

    private static List<String> listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** A launcher run whose stderr lines are gathered as they come, and its stdout at the end. */
    private static final class Child {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Thread reader;
        private final StringBuilder out = new StringBuilder();
        private final Thread outReader;

        private Child(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            this.outReader = new Thread(() -> {
                try {
                    String s = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    synchronized (out) {
                        out.append(s);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            reader.start();
            outReader.start();
        }

        /**
         * The launcher, started with SIGINT and SIGTERM at their defaults: a JVM started with
         * SIGINT ignored (a background job of a script, as a CI runner may start Maven) passes
         * that on to its children, and the JVM leaves an ignored signal ignored.
         */
        static Child start(List<String> args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT,TERM", launcher.toString()));
            cmd.addAll(args);
            return new Child(new ProcessBuilder(cmd).start());
        }

        void awaitLine(Predicate<String> wanted) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_SECONDS);
            while (lines.stream().noneMatch(wanted)) {
                assertTrue(process.isAlive(), "the run ended before the awaited line: " + text());
                assertTrue(System.nanoTime() < deadline, "the awaited line never came: " + text());
                Thread.sleep(20);
            }
        }

        int finish() throws Exception {
            if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + text());
            }
            reader.join(10_000);
            outReader.join(10_000);
            return process.exitValue();
        }

        String stdout() {
            synchronized (out) {
                return out.toString();
            }
        }

        String text() {
            return String.join("\n", lines);
        }
    }
}
