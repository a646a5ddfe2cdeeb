package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.batch.Plan;
import org.xen2kvm.batch.PlanEntry;
import org.xen2kvm.batch.PlanFiles;
import org.xen2kvm.testutil.ExternalTool;

/**
 * {@code plan create/run/status} in-process on copies of the demo guest (three names over the
 * same read-only images), a broken config and one whose disk is missing: waves, hooks and
 * their environment, one failure not stopping the others, re-runs, retries, bad plans.
 */
class PlanCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    static Path xen;

    @BeforeAll
    static void demoGuests() throws Exception {
        ExternalTool.require("mkfs.ext4", "mkswap");
        Path script = ExternalTool.projectRoot().resolve("testdata/examples/make-example.sh");
        ExternalTool.Result r = ExternalTool.run(List.of("bash", script.toString(), shared.resolve("src").toString()));
        assertEquals(0, r.exitCode(), r.output());
        Path demo = Path.of(r.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        xen = Files.createDirectories(shared.resolve("xen"));
        String cfg = Files.readString(demo);
        for (int i = 1; i <= 3; i++) {
            Files.writeString(xen.resolve("demo" + i + ".cfg"), cfg.replace("name    = 'demo'", "name = 'demo" + i + "'")
                    .replace("00:16:3E:00:00:09", "00:16:3E:00:00:1" + i));
        }
        Files.writeString(xen.resolve("broken.cfg"), "name = 'broken'\ndisk = [ 'file:/x,xvda,w'\n");
        Files.writeString(xen.resolve("nodisk.cfg"), cfg.replace("name    = 'demo'", "name = 'nodisk'")
                .replace(demo.resolveSibling("disk.img").toString(), shared.resolve("gone.img").toString())
                .replace("00:16:3E:00:00:09", "00:16:3E:00:00:20"));
    }

    private static Map<String, JsonNode> guests(JsonNode status) {
        Map<String, JsonNode> m = new HashMap<>();
        status.get("guests").forEach(g -> m.put(g.get("name").asText(), g));
        return m;
    }

    private static PlanEntry with(PlanEntry e, int wave, List<String> pre, List<String> post) {
        return new PlanEntry(e.name(), e.source(), e.format(), e.uuid(), e.macs(), e.disks(), e.target(), wave,
                e.skip(), e.options(), pre, post, e.error());
    }

    @Test
    void createRunStatusRerunRetry(@TempDir Path work) throws Exception {
        Path planFile = work.resolve("host.yaml");
        CliTest.Run c = CliTest.run("plan", "create", xen.toString(), "--output", planFile.toString(),
                "--output-dir", work.resolve("out").toString(), "--domain-type", "qemu", "-O", "raw");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("5 guest(s) (1 unreadable, listed as failed)"), c.out());
        assertTrue(c.err().contains("gone.img"), "the missing disk is reported at create time: " + c.err());
        Plan plan = PlanFiles.read(planFile);
        assertEquals(Map.of("output-dir", work.resolve("out").toString(), "domain-type", "qemu", "output-format", "raw"),
                plan.defaults());

        // Waves and hooks, as a migration engineer edits them.
        Path log = work.resolve("hooks.log");
        List<PlanEntry> edited = new ArrayList<>();
        for (PlanEntry e : plan.guests()) {
            edited.add(switch (e.name()) {
                case "demo1" -> with(e, 1, List.of(), List.of());
                case "demo2" -> with(e, 2, List.of("echo shutting down $XEN2KVM_GUEST; echo cannot reach xenhost >&2; "
                        + "exit 4"), List.of());
                case "demo3" -> with(e, 2, List.of(), List.of("test -f \"$XEN2KVM_OUTPUT_DIR/demo3.xml\" && echo "
                        + "\"post $XEN2KVM_GUEST $XEN2KVM_OUTPUTS\" >> " + log));
                default -> with(e, 3, e.pre(), e.post());
            });
        }
        plan = new Plan(plan.version(), plan.sources(), plan.defaults(), List.of("echo \"$XEN2KVM_HOOK $XEN2KVM_GUEST "
                + "$XEN2KVM_TARGET $XEN2KVM_SOURCE\" >> " + log), List.of(), 60, plan.warnings(), plan.skipped(), edited);
        PlanFiles.write(plan, planFile);

        CliTest.Run run = CliTest.run("plan", "run", planFile.toString(), "--jobs", "2");
        assertEquals(1, run.exit(), run.out() + run.err());
        Path out = work.resolve("out");
        assertTrue(Files.isRegularFile(out.resolve("demo1.xml")) && Files.isRegularFile(out.resolve("demo3.xml")));
        assertFalse(Files.exists(out.resolve("demo2.xml")), "a failing pre hook stops its conversion");
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.get(0).startsWith("pre demo1 demo1 " + xen.resolve("demo1.cfg")), lines.toString());
        int wave3 = lines.indexOf(lines.stream().filter(l -> l.contains("nodisk")).findFirst().orElseThrow());
        int lastWave2 = Math.max(lines.indexOf("pre demo2 demo2 " + xen.resolve("demo2.cfg")),
                lines.indexOf(lines.stream().filter(l -> l.startsWith("post demo3")).findFirst().orElseThrow()));
        assertTrue(wave3 > lastWave2, "wave 3 after wave 2 has finished: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("post demo3 ") && l.contains(out.resolve("demo3.xml")
                .toString())), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.contains("broken")), "an unreadable entry runs no hook");

        CliTest.Run st = CliTest.run("plan", "status", planFile.toString(), "--json");
        assertEquals(0, st.exit(), st.err());
        JsonNode status = JSON.readTree(st.out());
        Map<String, JsonNode> g = guests(status);
        assertEquals("done", g.get("demo1").get("state").asText());
        assertEquals("done", g.get("demo3").get("state").asText());
        assertEquals("failed", g.get("demo2").get("state").asText());
        assertTrue(g.get("demo2").get("error").asText().contains("pre hook"), g.get("demo2").toString());
        assertTrue(g.get("demo2").get("hookOutput").asText().contains("cannot reach xenhost"));
        assertEquals("failed", g.get("broken").get("state").asText());
        assertEquals("failed", g.get("nodisk").get("state").asText());
        assertTrue(g.get("nodisk").get("error").asText().contains("gone.img"), g.get("nodisk").toString());
        JsonNode d1 = g.get("demo1");
        for (String key : List.of("name", "state", "error", "startedAt", "finishedAt", "seconds", "outputs", "warnings",
                "bootSeconds")) {
            assertTrue(d1.has(key), key + " missing: " + d1);
        }
        assertTrue(d1.get("bytesCopied").asLong() > 0 && d1.get("seconds").asDouble() > 0, d1.toString());
        assertTrue(d1.get("outputs").size() >= 3, d1.toString());
        JsonNode totals = status.get("totals");
        assertEquals(5, totals.get("guests").asInt());
        assertEquals(2, totals.get("done").asInt());
        assertEquals(3, totals.get("failed").asInt());
        String md = Files.readString(work.resolve("host.report.md"));
        assertTrue(md.contains("| demo1 | demo1 | done |") && md.contains("exited 4: cannot reach xenhost"), md);
        assertEquals(5, JSON.readTree(work.resolve("host.report.json").toFile()).get("guests").size());

        // A re-run redoes nothing: the done guests' state files are untouched.
        Path stateDir = work.resolve("host.yaml.d");
        String before = Files.readString(stateDir.resolve("demo1.json")) + Files.readString(stateDir.resolve("demo3.json"));
        CliTest.Run again = CliTest.run("plan", "run", planFile.toString(), "--jobs", "2");
        assertEquals(1, again.exit(), again.err());
        assertTrue(again.out().contains("already done"), again.out());
        assertEquals(before, Files.readString(stateDir.resolve("demo1.json")) + Files.readString(stateDir.resolve("demo3.json")));

        // The engineer fixes demo2's hook and retries just it.
        edited.set(edited.indexOf(plan.guest("demo2")), with(plan.guest("demo2"), 2, List.of("true"), List.of()));
        PlanFiles.write(new Plan(plan.version(), plan.sources(), plan.defaults(), plan.pre(), plan.post(),
                plan.hookTimeoutSeconds(), plan.warnings(), plan.skipped(), edited), planFile);
        CliTest.Run retry = CliTest.run("plan", "run", planFile.toString(), "--only", "demo2", "--retry-failed");
        assertEquals(0, retry.exit(), retry.out() + retry.err());
        assertTrue(Files.isRegularFile(out.resolve("demo2.xml")));
        CliTest.Run text = CliTest.run("plan", "status", planFile.toString());
        assertTrue(text.out().contains("5 guests: 3 done, 2 failed, 0 skipped, 0 pending, 0 running"), text.out());
    }

    @Test
    void dryRunWritesNothing(@TempDir Path work) throws Exception {
        Path planFile = work.resolve("p.yaml");
        assertEquals(0, CliTest.run("plan", "create", xen.toString(), "--output", planFile.toString(), "-o",
                work.resolve("out").toString()).exit());
        CliTest.Run dry = CliTest.run("plan", "run", planFile.toString(), "--dry-run", "--jobs", "3");
        assertEquals(1, dry.exit(), dry.err());
        assertTrue(dry.out().contains("demo1") && dry.out().contains("would be converted"), dry.out());
        assertTrue(dry.out().contains("gone.img does not exist"), dry.out());
        assertFalse(Files.exists(work.resolve("out")));
        assertFalse(Files.exists(work.resolve("p.yaml.d")));
        assertFalse(Files.exists(work.resolve("p.report.md")));
    }

    @Test
    void createTakesEveryConvertOption(@TempDir Path work) throws Exception {
        Path planFile = work.resolve("p.yaml");
        Path pkg = Files.writeString(work.resolve("linux-image.deb"), "a package");
        CliTest.Run c = CliTest.run("plan", "create", xen.resolve("demo1.cfg").toString(), "--output",
                planFile.toString(), "--bridge", "xenbr0=br0", "--bridge", "xenbr1=br1", "--start", "--connect",
                "qemu:///system", "--verify-boot", "--force", "-o", "rel/out", "--install-kernel", pkg.toString(),
                "--no-guest-edits");
        assertEquals(0, c.exit(), c.err());
        Map<String, Object> d = PlanFiles.read(planFile).defaults();
        // Options added to convert after plans were written travel like the others.
        assertEquals(List.of(pkg.toString()), d.get("install-kernel"));
        assertEquals(true, d.get("no-guest-edits"));
        assertEquals(List.of("xenbr0=br0", "xenbr1=br1"), d.get("bridge"));
        assertEquals(true, d.get("start"));
        assertEquals(true, d.get("force"));
        assertEquals("qemu:///system", d.get("connect"));
        assertEquals(300, d.get("verify-boot"), "the fallback value of an optional value, as picocli gave it");
        assertEquals(Path.of("rel/out").toAbsolutePath().toString(), d.get("output-dir"), "paths made absolute");
        // Options that do not go together are refused before any plan is written.
        CliTest.Run bad = CliTest.run("plan", "create", xen.toString(), "--output", work.resolve("q.yaml").toString(),
                "--pool", "default");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("--connect"), bad.err());
        assertFalse(Files.exists(work.resolve("q.yaml")));
        // An existing plan is kept.
        CliTest.Run exists = CliTest.run("plan", "create", xen.toString(), "--output", planFile.toString());
        assertEquals(2, exists.exit());
    }

    @Test
    void badPlansConvertNothing(@TempDir Path work) throws Exception {
        Path planFile = work.resolve("p.yaml");
        assertEquals(0, CliTest.run("plan", "create", xen.toString(), "--output", planFile.toString(), "-o",
                work.resolve("out").toString()).exit());
        Plan plan = PlanFiles.read(planFile);
        Map<String, Object> defaults = new java.util.LinkedHashMap<>(plan.defaults());
        defaults.put("no-such-option", 1);
        Path badPlan = work.resolve("bad.yaml");
        PlanFiles.write(new Plan(plan.version(), plan.sources(), defaults, null, null, null, null, null, plan.guests()),
                badPlan);
        CliTest.Run r = CliTest.run("plan", "run", badPlan.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("no-such-option"), r.err());
        assertEquals(2, CliTest.run("plan", "run", planFile.toString(), "--only", "nobody").exit());
        assertEquals(2, CliTest.run("plan", "run", planFile.toString(), "--shard", "3/2").exit());
        Files.writeString(work.resolve("typo.yaml"), Files.readString(planFile).replace("    wave: 1", "    wav: 1"));
        CliTest.Run typo = CliTest.run("plan", "status", work.resolve("typo.yaml").toString());
        assertEquals(2, typo.exit());
        assertTrue(typo.err().contains("wav"), typo.err());
        assertFalse(Files.exists(work.resolve("out")));
        assertNull(Files.list(work).filter(p -> p.toString().endsWith(".d")).findFirst().orElse(null));
    }
}
