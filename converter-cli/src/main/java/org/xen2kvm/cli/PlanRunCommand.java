package org.xen2kvm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.xen2kvm.Cancellation;
import org.xen2kvm.batch.BadPlanException;
import org.xen2kvm.batch.Plan;
import org.xen2kvm.batch.PlanFiles;
import org.xen2kvm.batch.PlanReport;
import org.xen2kvm.batch.PlanRunner;
import org.xen2kvm.batch.PlanStatus;
import org.xen2kvm.batch.RunOptions;
import org.xen2kvm.batch.RunOutcome;
import org.xen2kvm.batch.Shard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xen2kvm plan run}: converts a plan's guests. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Convert the plan's guests, wave by wave, up to --jobs at a time, keeping each guest's state in "
                + "PLAN.yaml.d/ (done guests are not redone; a killed run resumes), and write PLAN.report.md/.json.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every guest of this run is done or skipped (or held by another run)",
            "1:a guest failed", "2:bad plan or usage (nothing was converted)",
            "130/143:interrupted by SIGINT/SIGTERM (the conversions under way were undone and are pending again)"})
final class PlanRunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PLAN.yaml", description = "The plan (from plan create).")
    Path planFile;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "1",
            description = "Guests converted at the same time (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--shard", paramLabel = "I/N", defaultValue = "1/1",
            description = "Take share I of N: the guests whose CRC32(name) mod N is I-1 (default: all).")
    String shard;

    @Option(names = "--dry-run", description = "Plan every guest still to do (reads disks, runs no hook), write nothing.")
    boolean dryRun;

    @Option(names = "--only", paramLabel = "NAME", arity = "1..*", split = ",",
            description = "Just these guests (names as in the plan; comma-separated or repeated, after PLAN.yaml).")
    List<String> only;

    @Option(names = "--retry-failed", description = "Convert again the guests that failed before.")
    boolean retryFailed;

    @Option(names = "--json", description = "Progress as JSON lines on stderr; the status JSON on stdout at the end.")
    boolean json;

    @Option(names = "--progress", description = "Show the progress display even when stderr is not a terminal.")
    boolean progress;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GlobalOptions global = GlobalOptions.of(spec);
        Plan plan;
        RunOptions options;
        PlanRunner runner;
        PlanProgress display;
        Map<String, RunOutcome> outcomes;
        try {
            plan = PlanFiles.read(planFile);
            options = new RunOptions(jobs, Shard.parse(shard), only == null ? Set.of() : Set.copyOf(only),
                    retryFailed, dryRun);
            display = new PlanProgress(err, json ? PlanProgress.Mode.JSON : global.quiet() ? PlanProgress.Mode.QUIET
                    : progress || System.console() != null ? PlanProgress.Mode.TERMINAL : PlanProgress.Mode.LINES);
            runner = new PlanRunner(planFile, plan, new PlanConverter(), display);
            display.begin(runner.selected(options));
            outcomes = runner.run(options);
        } catch (BadPlanException | IllegalArgumentException e) {
            err.println("xen2kvm: " + ErrorHandler.message(e));
            return ErrorHandler.BAD_INPUT;
        }
        display.end();
        boolean failed = outcomes.values().stream().anyMatch(RunOutcome::failed);
        if (!dryRun) {
            PlanStatus status = PlanStatus.of(planFile, plan);
            PlanReport.write(planFile, status);
            if (json) {
                out.print(status.toJson() + "\n");
            }
        }
        if (!json && !global.quiet()) {
            out.println(dryRun ? "Dry run (nothing written):" : "Run:");
            outcomes.forEach((name, o) -> out.printf(Locale.ROOT, "  %-24s %-12s %s%n", name,
                    o.result().name().toLowerCase(Locale.ROOT).replace('_', ' '), o.note() == null ? "" : o.note()));
            if (!dryRun) {
                out.println("report: " + PlanReport.path(planFile, "md"));
            }
        }
        out.flush();
        String interrupted = Cancellation.process().reason();
        if (interrupted != null) {
            err.println("xen2kvm: interrupted (" + interrupted + ")" + (dryRun ? "" : "; the conversions under way"
                    + " were undone and are pending again; run the plan again to convert them"));
            return Interrupts.exitCode(interrupted);
        }
        return failed ? ErrorHandler.FAILED : 0;
    }
}
