package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xen2kvm.batch.Plan;
import org.xen2kvm.batch.PlanEntry;
import org.xen2kvm.batch.PlanFiles;
import org.xen2kvm.batch.Shard;
import org.xen2kvm.testutil.ExternalTool;

/**
 * Plans through the real launcher ({@code bin/xen2kvm}) in child processes, on the two Debian
 * test guests ({@code XEN2KVM_GUESTS}, built by testdata/build-guests.sh) plus a broken config
 * and a config whose disk is missing, registered with {@code qemu:///system}: a run with two
 * jobs converts and registers the good guests (one boot-checked) and reports the others; a
 * re-run redoes nothing; {@code kill -9} of a run at several moments followed by a resume
 * gives the clean run's end state; shards and an unsharded run at the same time on one plan
 * convert every guest exactly once.
 */
class PlanLauncherIT {
    private static final String URI = "qemu:///system";
    private static final long RUN_TIMEOUT_SECONDS = 900;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Unique per test run, so domains never collide with another run or helper. */
    private static final String PREFIX = "plans-it-" + Long.toHexString(System.nanoTime() & 0xffffffL);

    static Path launcher;
    static Path guests;
    static Path work;
    static Path configs;
    static final List<String> domains = new ArrayList<>();

    record Run(int exit, String out, String err, long millis) {
    }

    @BeforeAll
    static void setUp() throws Exception {
        String l = System.getProperty("xen2kvm.launcher");
        assertTrue(l != null && Files.isExecutable(Path.of(l)), "xen2kvm.launcher: bin/xen2kvm expected");
        launcher = Path.of(l);
        ExternalTool.require("qemu-img", "virsh", "libvirtd");
        ExternalTool.requireThat(ExternalTool.run(List.of("virsh", "-c", URI, "version")).exitCode() == 0,
                "libvirtd must answer at " + URI);
        String dir = System.getenv("XEN2KVM_GUESTS");
        ExternalTool.requireThat(dir != null && Files.isDirectory(Path.of(dir)),
                "XEN2KVM_GUESTS is not set or not a folder; ./test.sh builds the Debian test guests and sets it");
        guests = Path.of(dir);
        // libvirt's QEMU runs as another user: the outputs must be reachable by it.
        Path base = Files.createDirectories(Path.of("/var/tmp/xen2kvm-e2e"));
        work = Files.createTempDirectory(base, PREFIX + "-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        configs = Files.createDirectories(work.resolve("etc-xen"));
        // The configs name absolute image paths, so copies of them convert the cached guests.
        for (String g : List.of("guest-a", "guest-b")) {
            String cfg = Files.readString(guests.resolve(g).resolve(g + ".cfg"));
            Files.writeString(configs.resolve(g + ".cfg"), cfg.replaceAll("(?m)^(name\\s*=\\s*)'[^']*'",
                    "$1'" + PREFIX + "-" + g + "'"));
        }
        Files.writeString(configs.resolve("broken.cfg"), "name = 'broken'\nmemory = 256\ndisk = [ 'file:/x,xvda,w'\n");
        Files.writeString(configs.resolve("nodisk.cfg"), Files.readString(configs.resolve("guest-b.cfg"))
                .replace(PREFIX + "-guest-b", PREFIX + "-nodisk").replace(guests.resolve("guest-b/disk.img").toString(),
                        work.resolve("gone.img").toString()).replace("00:16:3e:00:00:0b", "00:16:3e:00:00:0c"));
        Files.writeString(configs.resolve("guest-a.cfg~"), "an editor's backup\nname = 'x'\n");
        // The first run writes the launcher's class-data archive; later runs exec java directly,
        // so a kill reaches the JVM itself.
        assertEquals(0, run(List.of("--version")).exit());
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (String d : domains) {
            undefine(d);
        }
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void runsAHost() throws Exception {
        Path dir = Files.createDirectories(work.resolve("host"));
        Path plan = dir.resolve("host.yaml");
        Run create = run(List.of("plan", "create", configs.toString(), "--output", plan.toString(), "-o",
                dir.resolve("out").toString(), "--domain-type", "qemu", "--connect", URI));
        assertEquals(0, create.exit(), create.err());
        assertTrue(create.out().contains("4 guest(s) (1 unreadable, listed as failed)"), create.out());
        assertTrue(create.err().contains("gone.img"), create.err());
        // guest-a is boot-checked: its login prompt time goes into status and report.
        Plan p = PlanFiles.read(plan);
        List<PlanEntry> entries = new ArrayList<>();
        for (PlanEntry e : p.guests()) {
            entries.add(e.name().endsWith("-guest-a") ? new PlanEntry(e.name(), e.source(), e.format(), e.uuid(),
                    e.macs(), e.disks(), e.target(), e.wave(), e.skip(), Map.of("verify-boot", 420), e.pre(), e.post(),
                    e.error()) : e);
        }
        PlanFiles.write(new Plan(p.version(), p.sources(), p.defaults(), p.pre(), p.post(), p.hookTimeoutSeconds(),
                p.warnings(), p.skipped(), entries), plan);
        domains.add(PREFIX + "-guest-a");
        domains.add(PREFIX + "-guest-b");

        Run first = run(List.of("plan", "run", plan.toString(), "--jobs", "2", "--json"));
        assertEquals(1, first.exit(), first.err());
        Map<String, JsonNode> g = guests(JSON.readTree(first.out()));
        assertEquals("done", g.get(PREFIX + "-guest-a").get("state").asText(), g.toString());
        assertEquals("done", g.get(PREFIX + "-guest-b").get("state").asText(), g.toString());
        assertEquals("failed", g.get("broken").get("state").asText());
        assertEquals("failed", g.get(PREFIX + "-nodisk").get("state").asText());
        assertTrue(g.get(PREFIX + "-guest-a").get("bootSeconds").asDouble() > 0, g.toString());
        assertTrue(g.get(PREFIX + "-guest-b").get("bootSeconds").isNull());
        for (String d : List.of(PREFIX + "-guest-a", PREFIX + "-guest-b")) {
            assertTrue(domainDefined(d), d + " not registered");
            assertEquals(d, g.get(d).get("registered").asText());
        }
        // JSON lines on stderr: each guest's start and finish, with progress in between.
        Map<String, Integer> events = new TreeMap<>();
        for (String line : first.err().split("\n")) {
            if (line.startsWith("{")) {
                JsonNode ev = JSON.readTree(line);
                events.merge(ev.get("event").asText() + " " + ev.get("guest").asText(), 1, Integer::sum);
            }
        }
        assertEquals(1, events.get("guest-finished " + PREFIX + "-guest-a"), events.toString());
        assertTrue(events.getOrDefault("progress " + PREFIX + "-guest-b", 0) >= 2, events.toString());
        String md = Files.readString(dir.resolve("host.report.md"));
        assertTrue(md.contains("login prompt after") && md.contains("broken"), md);

        // A re-run redoes nothing: state files untouched, and quick.
        String before = states(dir.resolve("host.yaml.d"));
        Run again = run(List.of("plan", "run", plan.toString(), "--jobs", "2"));
        assertEquals(1, again.exit(), again.err());
        assertEquals(before, states(dir.resolve("host.yaml.d")));
        assertTrue(again.millis() < 15_000 && again.millis() * 4 < first.millis(),
                "re-run took " + again.millis() + " ms after a first run of " + first.millis() + " ms");
        Run status = run(List.of("plan", "status", plan.toString(), "--json"));
        assertEquals(0, status.exit(), status.err());
        assertEquals(2, JSON.readTree(status.out()).get("totals").get("done").asInt());
    }

    @Test
    void killedRunsResumeToTheSameEndState() throws Exception {
        // The reference: an uninterrupted run, timed to place the kills.
        Path ref = Files.createDirectories(work.resolve("kill-ref"));
        Path refPlan = killPlan(ref, "r");
        Run clean = run(List.of("plan", "run", refPlan.toString(), "--jobs", "2"));
        assertEquals(1, clean.exit(), clean.err());
        String expected = endState(ref, "r");
        List<String> results = new ArrayList<>();
        int i = 0;
        for (double at : new double[] {0.15, 0.35, 0.55, 0.75, 0.95}) {
            i++;
            Path dir = Files.createDirectories(work.resolve("kill-" + i));
            String tag = "k" + i;
            Path plan = killPlan(dir, tag);
            long delay = Math.max(300, (long) (clean.millis() * at));
            boolean killed = runAndKill(List.of("plan", "run", plan.toString(), "--jobs", "2"), delay);
            String left = leftBehind(dir);
            Run resume = run(List.of("plan", "run", plan.toString(), "--jobs", "2"));
            String state = endState(dir, tag);
            boolean same = expected.equals(state.replace("-" + tag, "-r"));
            results.add(String.format("kill at %d ms (%s; left %s): resume exit %d, %s", delay,
                    killed ? "killed" : "had ended", left, resume.exit(), same ? "same end state" : "DIFFERENT"));
            assertEquals(1, resume.exit(), resume.err());
            assertEquals(expected, state.replace("-" + tag, "-r"), "kill at " + delay + " ms; left: " + left);
            // The disks equal the clean run's, byte for byte as the guest sees them.
            for (String disk : List.of("guest-a-" + "r" + "-vda.qcow2", "guest-b-r-vda.qcow2")) {
                String mine = disk.replace("-r-", "-" + tag + "-");
                ExternalTool.Result cmp = ExternalTool.run(List.of("qemu-img", "compare", "-q",
                        ref.resolve("out").resolve(target(disk)).toString(),
                        dir.resolve("out").resolve(target(mine)).toString()));
                assertEquals(0, cmp.exitCode(), disk + " differs after kill at " + delay + " ms: " + cmp.output());
            }
        }
        System.out.println("plan run kill points (clean run " + clean.millis() + " ms):\n  " + String.join("\n  ", results));
    }

    @Test
    void shardsAndAConcurrentRunConvertEachGuestOnce() throws Exception {
        Path dir = Files.createDirectories(work.resolve("shards"));
        Path etc = Files.createDirectories(dir.resolve("etc"));
        String cfg = Files.readString(configs.resolve("guest-a.cfg"));
        // Four copies of guest-a, named so that each of two shards gets two of them.
        List<String> names = new ArrayList<>();
        int[] perShard = new int[2];
        for (int n = 0; names.size() < 4; n++) {
            String name = PREFIX + "-s" + n;
            int s = Shard.of(name, 2);
            if (perShard[s] < 2) {
                perShard[s]++;
                names.add(name);
                Files.writeString(etc.resolve(name + ".cfg"), cfg.replace(PREFIX + "-guest-a", name));
            }
        }
        Path plan = dir.resolve("plan.yaml");
        assertEquals(0, run(List.of("plan", "create", etc.toString(), "--output", plan.toString(), "-o",
                dir.resolve("out").toString(), "--domain-type", "qemu")).exit());
        List<Process> procs = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        List<List<String>> commands = List.of(
                List.of("plan", "run", plan.toString(), "--shard", "1/2"),
                List.of("plan", "run", plan.toString(), "--shard", "2/2"),
                List.of("plan", "run", plan.toString(), "--jobs", "2"));
        for (List<String> c : commands) {
            Path out = Files.createTempFile(dir, "out", ".txt");
            outs.add(out);
            procs.add(start(c, out, Files.createTempFile(dir, "err", ".txt")));
        }
        for (Process p : procs) {
            assertTrue(p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
        Map<String, Integer> converted = new TreeMap<>();
        List<String> said = new ArrayList<>();
        for (Path out : outs) {
            String text = Files.readString(out);
            said.add(text);
            for (String line : text.split("\n")) {
                String[] w = line.trim().split("\\s+");
                if (w.length >= 2 && w[1].equals("converted")) {
                    converted.merge(w[0], 1, Integer::sum);
                }
            }
        }
        Map<String, Integer> once = new TreeMap<>();
        names.forEach(n -> once.put(n, 1));
        assertEquals(once, converted, "each guest converted by exactly one run: " + said);
        JsonNode status = JSON.readTree(run(List.of("plan", "status", plan.toString(), "--json")).out());
        assertEquals(4, status.get("totals").get("done").asInt(), status.toString());
    }

    /** A plan over the configs with targets tagged {@code tag}, registering with libvirt. */
    private static Path killPlan(Path dir, String tag) throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Run c = run(List.of("plan", "create", configs.toString(), "--output", plan.toString(), "-o",
                dir.resolve("out").toString(), "--domain-type", "qemu", "--connect", URI));
        assertEquals(0, c.exit(), c.err());
        Plan p = PlanFiles.read(plan);
        List<PlanEntry> entries = new ArrayList<>();
        for (PlanEntry e : p.guests()) {
            String target = e.name().replace(PREFIX + "-", "") + "-" + tag;
            entries.add(new PlanEntry(e.name(), e.source(), e.format(), e.uuid(), e.macs(), e.disks(),
                    PREFIX + "-" + target, e.wave(), e.skip(), e.options(), e.pre(), e.post(), e.error()));
            domains.add(PREFIX + "-" + target);
        }
        PlanFiles.write(new Plan(p.version(), p.sources(), p.defaults(), p.pre(), p.post(), p.hookTimeoutSeconds(),
                p.warnings(), p.skipped(), entries), plan);
        return plan;
    }

    private static String target(String shortName) {
        return PREFIX + "-" + shortName;
    }

    /** Guest states, output file names and registered domains, with the tag and prefix as given. */
    private static String endState(Path dir, String tag) throws Exception {
        JsonNode status = JSON.readTree(run(List.of("plan", "status", dir.resolve("plan.yaml").toString(), "--json"))
                .out());
        StringBuilder sb = new StringBuilder();
        for (JsonNode g : status.get("guests")) {
            String target = g.get("target").asText();
            sb.append(g.get("name").asText().replace(PREFIX + "-", "")).append(' ').append(g.get("state").asText())
                    .append(" outputs ").append(g.get("outputs").size())
                    .append(" registered ").append(domainDefined(target)).append('\n');
        }
        try (Stream<Path> s = Files.list(dir.resolve("out"))) {
            s.map(p -> p.getFileName().toString().replace(PREFIX + "-", "")).sorted()
                    .forEach(n -> sb.append("file ").append(n).append('\n'));
        }
        return sb.toString();
    }

    /** What a killed run left: each guest's recorded state and the output files, briefly. */
    private static String leftBehind(Path dir) throws IOException {
        List<String> parts = new ArrayList<>();
        Path stateDir = dir.resolve("plan.yaml.d");
        if (Files.isDirectory(stateDir)) {
            try (Stream<Path> s = Files.list(stateDir)) {
                for (Path p : s.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                    parts.add(p.getFileName().toString().replace(PREFIX + "-", "").replace(".json", "") + "="
                            + JSON.readTree(p.toFile()).get("state").asText());
                }
            }
        }
        if (Files.isDirectory(dir.resolve("out"))) {
            try (Stream<Path> s = Files.list(dir.resolve("out"))) {
                parts.add(s.count() + " output files");
            }
        }
        return parts.isEmpty() ? "nothing" : String.join(" ", parts);
    }

    private static String states(Path stateDir) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(stateDir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                sb.append(p.getFileName()).append(": ").append(Files.readString(p)).append('\n');
            }
        }
        return sb.toString();
    }

    private static Map<String, JsonNode> guests(JsonNode status) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        status.get("guests").forEach(g -> m.put(g.get("name").asText(), g));
        return m;
    }

    private static Process start(List<String> args, Path out, Path err) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("XDG_CACHE_HOME", work.resolve("cache").toString());
        pb.environment().remove("XEN2KVM_JAR");
        pb.environment().remove("XEN2KVM_JAVA_OPTS");
        // Guest edits are stamped with this time, so a resumed run's disks equal a clean run's.
        pb.environment().put("SOURCE_DATE_EPOCH", "1700000000");
        return pb.start();
    }

    static Run run(List<String> args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        long t0 = System.nanoTime();
        Process p = start(args, out, err);
        if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            throw new AssertionError(args + " did not finish in " + RUN_TIMEOUT_SECONDS + " s");
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err), ms);
    }

    /** Starts a run and SIGKILLs it (and anything it started) after {@code delayMs}; true if it was still running. */
    private static boolean runAndKill(List<String> args, long delayMs) throws Exception {
        Process p = start(args, Files.createTempFile(work, "out", ".txt"), Files.createTempFile(work, "err", ".txt"));
        if (p.waitFor(delayMs, TimeUnit.MILLISECONDS)) {
            return false;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return true;
    }

    private static boolean domainDefined(String name) throws Exception {
        return ExternalTool.run(List.of("virsh", "-c", URI, "dominfo", name)).exitCode() == 0;
    }

    private static void undefine(String name) throws Exception {
        if (domainDefined(name)) {
            ExternalTool.run(List.of("virsh", "-c", URI, "destroy", name));
            ExternalTool.run(List.of("virsh", "-c", URI, "undefine", name));
        }
        assertFalse(domainDefined(name), name + " still defined");
    }
}
