package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.ExternalTool;

/**
 * kill -9 at chosen moments of {@code convert} (copy, guest edits, registration) and of
 * {@code disk convert}, through the packaged jar in a child JVM as a user runs it. After every
 * kill the same command is run again and must succeed; its outputs must match a clean run's
 * ({@code qemu-img compare} for disks, text for the domain XML, bytes for the rest), nothing
 * else may be left in the output directory, the sources must be byte-identical, and libvirt
 * must hold either nothing or the complete domain (never a half-defined one).
 *
 * <p>Kill moments are delays after process start: evenly spread over a clean run's duration,
 * a few aimed at the middle of each phase as the clean run's {@code -v} lines timed them, and
 * a few random ones (the seed is printed). Each point's phase is read from the killed run's
 * {@code -v} output, and a table is printed at the end.
 */
class KillResumeIT {
    private static final String URI = "qemu:///system";
    private static final long MIB = 1L << 20;
    private static final int EVEN_POINTS = 20;
    private static final int RANDOM_POINTS = 3;
    private static final int DISK_EVEN_POINTS = 10;
    private static final int DISK_RANDOM_POINTS = 2;
    private static final long RUN_TIMEOUT_SECONDS = 120;

    @TempDir
    static Path work;
    static Path jar;
    static Path config;
    static List<Path> sources = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        String jarProp = System.getProperty("xen2kvm.jar");
        String examples = System.getProperty("xen2kvm.examples");
        assertTrue(jarProp != null && Files.isRegularFile(Path.of(jarProp)),
                "xen2kvm.jar: build the jar first (mvn -B package -DskipTests)");
        jar = Path.of(jarProp);
        ExternalTool.require("qemu-img", "mkfs.ext4", "mkswap", "virsh", "libvirtd");
        ExternalTool.requireThat(ExternalTool.run(List.of("virsh", "-c", URI, "version")).exitCode() == 0,
                "libvirtd must answer at " + URI);
        Process p = new ProcessBuilder(Path.of(examples, "make-example.sh").toString(), work.resolve("src").toString())
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "make-example.sh failed: " + said);
        Path demo = Path.of(said.strip());
        // Two data disks make the copy long enough to kill it in each disk, and between them.
        Path data1 = sparseImage(work.resolve("src/data1.img"), 256 * MIB, 80 * MIB, 1);
        Path data2 = sparseImage(work.resolve("src/data2.img"), 256 * MIB, 80 * MIB, 2);
        String cfg = Files.readString(demo).replace("'file:" + work.resolve("src/swap.img") + ",xvda1,w',",
                "'file:" + work.resolve("src/swap.img") + ",xvda1,w',\n            'file:" + data1
                        + ",xvdb,w',\n            'file:" + data2 + ",xvdc,w',");
        assertTrue(cfg.contains("xvdc"), cfg);
        config = work.resolve("src/kill.cfg");
        Files.writeString(config, cfg);
        try (Stream<Path> s = Files.list(work.resolve("src"))) {
            s.sorted().forEach(sources::add);
        }
    }

    /** A sparse image of {@code size} with {@code data} bytes of seeded noise in four runs. */
    private static Path sparseImage(Path path, long size, long data, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] block = new byte[(int) MIB];
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.setLength(size);
            long run = data / 4;
            for (int i = 0; i < 4; i++) {
                f.seek(i * (size / 4) + MIB);
                for (long w = 0; w < run; w += block.length) {
                    random.nextBytes(block);
                    f.write(block);
                }
            }
        }
        return path;
    }

    /** One kill point and what was found. */
    record Point(String kind, long delayMs, String phase, String leftBehind, String domain, String rerun,
            String result) {
    }

    /** A child run: its lines with their arrival time (ms after start), and the exit code (-1 when killed). */
    record Run(int exit, List<String> lines, List<Long> times, long millis) {
        String text() {
            return String.join("\n", lines);
        }
    }

    @Test
    void convertKilledAnywhereResumes() throws Exception {
        String name = "xen2kvm-kill-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        Path out = work.resolve("out-convert");
        Path ref = work.resolve("ref-convert");
        List<String> cmd = List.of(java(), "-jar", jar.toString(), "convert", "-v", "-c", URI, "--domain-type",
                "qemu", "--name", name, "-o", out.toString(), config.toString());
        Map<Path, String> hashes = hashes(sources);
        List<Point> points = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int killedPoints = 0;
        try {
            Run firstRun = run(cmd, -1, true);
            assertEquals(0, firstRun.exit(), "clean run failed:\n" + firstRun.text());
            assertTrue(domainDefined(name), "the clean run did not define " + name);
            Files.move(out, ref);
            undefine(name);
            // A second clean run: its outputs must match the first's (else no re-run could), and
            // with the sources in the page cache it times a run as the kill points see it.
            Run clean = run(cmd, -1, true);
            assertEquals(0, clean.exit(), "second clean run failed:\n" + clean.text());
            assertEquals(List.of(), compareOutputs(ref, out), "two clean runs differ");
            undefine(name);

            // Before its first line the JVM is starting: two points there, the rest spread after.
            long total = clean.millis();
            long first = clean.times().isEmpty() ? 0 : clean.times().get(0);
            List<Long> delays = new ArrayList<>(List.of(first / 3, first * 2 / 3));
            for (int i = 0; i < EVEN_POINTS; i++) {
                delays.add(first + (total - first) * i / EVEN_POINTS);
            }
            delays.addAll(aimedDelays(clean));
            long seed = System.nanoTime();
            Random random = new Random(seed);
            for (int i = 0; i < RANDOM_POINTS; i++) {
                delays.add(1 + (long) (random.nextDouble() * total));
            }
            System.out.printf(Locale.ROOT, "KillResumeIT convert: clean run %d ms, random seed %d%n", total, seed);

            for (long delay : delays) {
                deleteTree(out);
                Run killed = run(cmd, delay, true);
                String phase = killed.exit() == -1 ? convertPhase(killed.lines()) : "finished (exit " + killed.exit() + ")";
                String left = listing(out);
                String domain = domainDefined(name) ? "defined" : "none";
                // A run killed after it removed its marker had finished: its re-run refuses to
                // overwrite a finished conversion (exit 2), as after any finished run.
                boolean finished = left.equals(listing(ref));
                Run again = run(cmd, -1, false);
                List<String> problems = new ArrayList<>();
                if (finished && (again.exit() == 0 || !again.text().contains("output exists"))) {
                    problems.add("a finished run's re-run gave exit " + again.exit() + ", not 'output exists': "
                            + lastLines(again, 2));
                } else if (!finished && again.exit() != 0) {
                    problems.add("re-run exit " + again.exit() + ": " + lastLines(again, 3));
                } else {
                    problems.addAll(compareOutputs(ref, out));
                    if (!domainDefined(name)) {
                        problems.add("re-run left no domain " + name);
                    }
                }
                undefine(name);
                String result = problems.isEmpty() ? "ok" : String.join("; ", problems);
                points.add(new Point("convert", delay, phase, left, domain, "exit " + again.exit(), result));
                killedPoints += killed.exit() == -1 ? 1 : 0;
                if (!problems.isEmpty()) {
                    failures.add("convert killed at " + delay + " ms (" + phase + "): " + result);
                }
            }
        } finally {
            undefine(name);
            printTable("convert", points);
        }
        assertEquals(hashes, hashes(sources), "a source changed");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(killedPoints >= 20, "only " + killedPoints + " runs were killed before they ended: " + points);
        assertTrue(points.stream().map(Point::phase).filter(ph -> ph.startsWith("copy")).count() >= 3,
                "fewer than 3 kills landed in the copy: " + points);
    }

    @Test
    void diskConvertKilledAnywhereResumes() throws Exception {
        Path source = sparseImage(work.resolve("disk-src.img"), 512 * MIB, 80 * MIB, 3);
        Path out = work.resolve("out-disk");
        Path ref = work.resolve("ref-disk.qcow2");
        Path dst = out.resolve("disk.qcow2");
        Files.createDirectories(out);
        String hash = hash(source);
        // --compress: deflate makes the copy, not the JVM start, most of the run.
        List<String> cmd = List.of(java(), "-jar", jar.toString(), "disk", "convert", "--json", "--compress",
                source.toString(),
                dst.toString(), "-O", "qcow2");
        Run clean = run(cmd, -1, false);
        assertEquals(0, clean.exit(), "clean run failed:\n" + clean.text());
        Files.move(dst, ref);
        clean = run(cmd, -1, false); // timed with the source in the page cache
        assertEquals(0, clean.exit(), "second clean run failed:\n" + clean.text());
        long total = clean.millis();
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < DISK_EVEN_POINTS; i++) {
            delays.add(total / 4 + total * 3 / 4 * i / DISK_EVEN_POINTS); // the first quarter starts the JVM
        }
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < DISK_RANDOM_POINTS; i++) {
            delays.add(1 + (long) (random.nextDouble() * total));
        }
        System.out.printf(Locale.ROOT, "KillResumeIT disk convert: clean run %d ms, random seed %d%n", total, seed);
        List<Point> points = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (long delay : delays) {
            deleteTree(out);
            Files.createDirectories(out);
            Run killed = run(cmd, delay, false);
            String phase = killed.exit() == -1 ? diskPhase(killed.lines()) : "finished (exit " + killed.exit() + ")";
            String left = listing(out);
            // Killed after the rename, the copy was done: the re-run refuses the finished output.
            boolean finished = left.equals("disk.qcow2");
            Run again = run(cmd, -1, false);
            List<String> problems = new ArrayList<>();
            if (finished && again.exit() != 2) {
                problems.add("a finished run's re-run gave exit " + again.exit() + ", not 2 (output exists)");
            } else if (!finished && again.exit() != 0) {
                problems.add("re-run exit " + again.exit() + ": " + lastLines(again, 2));
            } else {
                ExternalTool.Result cmp = ExternalTool.run(List.of("qemu-img", "compare", "-q", ref.toString(),
                        dst.toString()));
                if (cmp.exitCode() != 0) {
                    problems.add("qemu-img compare: exit " + cmp.exitCode() + " " + cmp.output().strip());
                }
                if (!listing(out).equals("disk.qcow2")) {
                    problems.add("output directory holds " + listing(out));
                }
            }
            String result = problems.isEmpty() ? "ok" : String.join("; ", problems);
            points.add(new Point("disk convert", delay, phase, left, "-", "exit " + again.exit(), result));
            if (!problems.isEmpty()) {
                failures.add("disk convert killed at " + delay + " ms (" + phase + "): " + result);
            }
        }
        printTable("disk convert", points);
        assertEquals(hash, hash(source), "the source changed");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** Delays at the middle of each phase of the clean run, as its -v lines timed them. */
    private static List<Long> aimedDelays(Run clean) {
        Map<String, long[]> spans = new LinkedHashMap<>();
        String current = null;
        for (int i = 0; i < clean.lines().size(); i++) {
            String phase = convertPhase(clean.lines().subList(0, i + 1));
            long t = clean.times().get(i);
            if (!phase.equals(current)) {
                spans.put(phase, new long[] {t, clean.millis()});
                if (current != null) {
                    spans.get(current)[1] = t;
                }
                current = phase;
            }
        }
        List<Long> delays = new ArrayList<>();
        for (Map.Entry<String, long[]> e : spans.entrySet()) {
            if (e.getKey().startsWith("edit") || e.getKey().startsWith("copy") || e.getKey().startsWith("register")
                    || e.getKey().startsWith("write")) {
                delays.add((e.getValue()[0] + e.getValue()[1]) / 2);
            }
        }
        return delays;
    }

    /**
     * The phase a {@code convert -v} run was in after printing {@code lines}: the last stage
     * ({@code == copy: SRC -> OUT} names the disk), or the step after the last one that ended.
     */
    static String convertPhase(List<String> lines) {
        String phase = "jvm start";
        for (String line : lines) {
            if (line.startsWith("== copy: ")) {
                String target = line.substring(line.lastIndexOf('-') + 1);
                phase = "copy " + target.substring(0, target.indexOf('.'));
            } else if (line.startsWith("== ")) {
                phase = line.substring(3, line.indexOf(':'));
            } else if (line.startsWith("   step copy-disks:")) {
                phase = "write-xml";
            } else if (line.startsWith("   step register:")) {
                phase = "exit";
            }
        }
        return phase;
    }

    /** The phase of a {@code disk convert --json} run: how far its progress lines got. */
    static String diskPhase(List<String> lines) {
        String phase = "jvm start";
        for (String line : lines) {
            if (line.contains("\"event\":\"done\"")) {
                phase = "exit";
            } else if (line.contains("\"event\":\"progress\"")) {
                long done = Long.parseLong(line.replaceAll(".*\"done\":(\\d+).*", "$1"));
                long total = Long.parseLong(line.replaceAll(".*\"total\":(\\d+).*", "$1"));
                phase = "copy " + (100 * done / total) + "%";
            }
        }
        return phase;
    }

    /** Every file of a clean run is there and alike, and nothing else is. */
    private static List<String> compareOutputs(Path ref, Path out) throws Exception {
        List<String> problems = new ArrayList<>();
        if (!listing(ref).equals(listing(out))) {
            problems.add("files " + listing(out) + ", a clean run wrote " + listing(ref));
            return problems;
        }
        try (Stream<Path> s = Files.list(ref)) {
            for (Path r : s.sorted().toList()) {
                Path o = out.resolve(r.getFileName());
                String file = r.getFileName().toString();
                if (file.endsWith(".qcow2")) {
                    ExternalTool.Result cmp = ExternalTool.run(List.of("qemu-img", "compare", "-q", r.toString(),
                            o.toString()));
                    if (cmp.exitCode() != 0) {
                        problems.add(file + ": qemu-img compare exit " + cmp.exitCode() + " " + cmp.output().strip());
                    }
                } else if (file.endsWith(".xml")) {
                    if (!Files.readString(r).equals(Files.readString(o))) {
                        problems.add(file + ": domain XML differs from a clean run's");
                    }
                } else if (!Arrays.equals(Files.readAllBytes(r), Files.readAllBytes(o))) {
                    problems.add(file + ": differs from a clean run's");
                }
            }
        }
        return problems;
    }

    /**
     * Runs {@code cmd}; with {@code killAfterMs >= 0} it is killed with SIGKILL that long after
     * it started (unless it ended first). Reads stderr ({@code errLines}) or stdout as lines.
     */
    private static Run run(List<String> cmd, long killAfterMs, boolean errLines) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // Guest edits are stamped with this time, so that every run's disks are byte-identical.
        pb.environment().put("SOURCE_DATE_EPOCH", "1700000000");
        if (errLines) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        } else {
            pb.redirectErrorStream(true);
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        List<Long> times = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> readLines(errLines ? p.getErrorStream() : p.getInputStream(), t0, lines, times));
        reader.start();
        int exit;
        if (killAfterMs >= 0 && !p.waitFor(killAfterMs, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly(); // SIGKILL on Linux
            p.waitFor();
            exit = -1;
        } else {
            if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            exit = p.exitValue();
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        reader.join(10_000);
        return new Run(exit, List.copyOf(lines), List.copyOf(times), millis);
    }

    private static void readLines(InputStream in, long t0, List<String> lines, List<Long> times) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                times.add((System.nanoTime() - t0) / 1_000_000);
                lines.add(line);
            }
        } catch (IOException e) {
            // The process was killed: what was read is what it printed.
        }
    }

    /** The JVM running the tests, so the child runs on the same Java. */
    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static boolean domainDefined(String name) throws Exception {
        return ExternalTool.run(List.of("virsh", "-c", URI, "dominfo", name)).exitCode() == 0;
    }

    private static void undefine(String name) throws Exception {
        if (domainDefined(name)) {
            ExternalTool.run(List.of("virsh", "-c", URI, "destroy", name));
            ExternalTool.Result r = ExternalTool.run(List.of("virsh", "-c", URI, "undefine", name));
            assertEquals(0, r.exitCode(), "virsh undefine " + name + ": " + r.output());
        }
    }

    /** The file names in {@code dir}, sorted and comma-separated; "-" when it is empty or missing. */
    private static String listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "-";
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            return names.isEmpty() ? "-" : String.join(",", names);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Map<Path, String> hashes(List<Path> files) throws Exception {
        Map<Path, String> m = new TreeMap<>();
        for (Path f : files) {
            m.put(f, hash(f));
        }
        return m;
    }

    private static String hash(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String lastLines(Run r, int n) {
        List<String> l = r.lines();
        return String.join(" | ", l.subList(Math.max(0, l.size() - n), l.size()));
    }

    /** The files left by a killed run, shortened: the domain name prefix is dropped. */
    private static String shortList(String listing) {
        return listing.replaceAll("xen2kvm-kill-[0-9a-f]+", "N");
    }

    private static void printTable(String title, List<Point> points) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%nKillResumeIT %s: %d kill points%n", title, points.size()));
        b.append(String.format(Locale.ROOT, "%6s  %-12s %-8s %-7s %s | %s%n", "ms", "phase", "domain", "re-run",
                "result", "left behind by the killed run"));
        Map<String, Integer> byPhase = new TreeMap<>();
        for (Point p : points) {
            b.append(String.format(Locale.ROOT, "%6d  %-12s %-8s %-7s %s | %s%n", p.delayMs(), p.phase(), p.domain(),
                    p.rerun(), p.result(), shortList(p.leftBehind())));
            byPhase.merge(p.phase().replaceAll(" \\d+%", ""), 1, Integer::sum);
        }
        b.append("points per phase: ").append(byPhase).append('\n');
        System.out.print(b);
    }
}
