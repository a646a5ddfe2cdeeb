package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.Cancellation;
import org.xen2kvm.batch.GuestState;
import org.xen2kvm.batch.GuestStatus;
import org.xen2kvm.batch.Plan;
import org.xen2kvm.batch.PlanEntry;
import org.xen2kvm.batch.PlanFiles;
import org.xen2kvm.batch.PlanListener;
import org.xen2kvm.batch.PlanRunner;
import org.xen2kvm.batch.PlanStatus;
import org.xen2kvm.batch.RunOptions;
import org.xen2kvm.batch.RunOutcome;
import org.xen2kvm.batch.Shard;
import org.xen2kvm.batch.StateStore;
import org.xen2kvm.pipeline.ConversionEvent;
import org.xen2kvm.testutil.ExternalTool;

/**
 * A plan run cancelled while it copies its first guest's disks (what SIGTERM does through
 * the launcher, see InterruptLauncherIT): that guest's conversion is undone and the guest is
 * pending again with a note, the guest after it is not started and has no state, and the next
 * run converts both.
 */
class PlanCancellationTest {

    @Test
    void theGuestUnderWayIsPendingAgainAndTheNextRunConvertsIt(@TempDir Path work) throws Exception {
        ExternalTool.require("mkfs.ext4", "mkswap");
        Path script = ExternalTool.projectRoot().resolve("testdata/examples/make-example.sh");
        ExternalTool.Result r = ExternalTool.run(List.of("bash", script.toString(), work.resolve("src").toString()));
        assertEquals(0, r.exitCode(), r.output());
        Path demo = Path.of(r.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        Path xen = Files.createDirectories(work.resolve("xen"));
        String cfg = Files.readString(demo);
        for (int i = 1; i <= 2; i++) {
            Files.writeString(xen.resolve("demo" + i + ".cfg"), cfg.replace("name    = 'demo'", "name = 'demo" + i + "'")
                    .replace("00:16:3E:00:00:09", "00:16:3E:00:00:1" + i));
        }
        Path planFile = work.resolve("host.yaml");
        Path out = work.resolve("out");
        CliTest.Run c = CliTest.run("plan", "create", xen.toString(), "--output", planFile.toString(),
                "--output-dir", out.toString(), "--domain-type", "qemu", "-O", "raw");
        assertEquals(0, c.exit(), c.err());
        Plan plan = PlanFiles.read(planFile);
        assertEquals(List.of("demo1", "demo2"), plan.guests().stream().map(PlanEntry::name).toList());
        RunOptions options = new RunOptions(1, Shard.parse("1/1"), java.util.Set.of(), false, false);

        Cancellation cancellation = new Cancellation();
        Map<String, RunOutcome> first = new PlanRunner(planFile, plan, new PlanConverter(cancellation),
                cancelAtCopy(cancellation), cancellation).run(options);
        assertEquals(RunOutcome.Result.INTERRUPTED, first.get("demo1").result(), first.toString());
        assertEquals(RunOutcome.Result.INTERRUPTED, first.get("demo2").result(), first.toString());
        assertEquals("not started: the run was interrupted (SIGTERM)", first.get("demo2").note());
        StateStore store = StateStore.beside(planFile);
        GuestState demo1 = store.read("demo1").orElseThrow();
        assertEquals(GuestStatus.PENDING, demo1.state());
        assertTrue(demo1.error().startsWith("interrupted (SIGTERM); what the conversion had written was removed"),
                demo1.error());
        assertEquals(List.of(), demo1.outputs());
        assertTrue(store.read("demo2").isEmpty(), "a guest never started got a state");
        assertEquals(GuestStatus.PENDING, PlanStatus.of(planFile, plan).guests().get(0).state());
        // The run made the output directory: undone, it is gone too.
        assertFalse(Files.exists(out), "the interrupted conversion left its output directory");

        Cancellation never = new Cancellation();
        Map<String, RunOutcome> again = new PlanRunner(planFile, plan, new PlanConverter(never),
                cancelAtCopy(new Cancellation()), never).run(options);
        assertEquals(RunOutcome.Result.CONVERTED, again.get("demo1").result(), again.toString());
        assertEquals(RunOutcome.Result.CONVERTED, again.get("demo2").result(), again.toString());
        assertTrue(Files.isRegularFile(out.resolve("demo1.xml")) && Files.isRegularFile(out.resolve("demo2.xml")));
    }

    /** A listener that sets {@code cancellation} when a guest's disk copy starts, as a signal would. */
    private static PlanListener cancelAtCopy(Cancellation cancellation) {
        return new PlanListener() {
            @Override
            public void started(PlanEntry guest) {
            }

            @Override
            public void event(PlanEntry guest, ConversionEvent event) {
                if (event instanceof ConversionEvent.StageStarted s && s.stage().equals("copy")) {
                    cancellation.cancel("SIGTERM");
                }
            }

            @Override
            public void finished(PlanEntry guest, RunOutcome outcome) {
            }
        };
    }
}
