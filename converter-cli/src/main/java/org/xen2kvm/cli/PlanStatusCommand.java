package org.xen2kvm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.xen2kvm.batch.BadPlanException;
import org.xen2kvm.batch.PlanFiles;
import org.xen2kvm.batch.PlanStatus;
import org.xen2kvm.image.write.OutputSpace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xen2kvm plan status}: where each guest of a plan is. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show each guest's state (pending, running, done, failed, skipped) from the plan and its state "
                + "folder; --json prints the stable JSON of docs/plan-json.md.")
final class PlanStatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PLAN.yaml", description = "The plan.")
    Path planFile;

    @Option(names = "--json", description = "Print JSON (docs/plan-json.md).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PlanStatus status;
        try {
            status = PlanStatus.of(planFile, PlanFiles.read(planFile));
        } catch (BadPlanException e) {
            spec.commandLine().getErr().println("xen2kvm: " + e.getMessage());
            return ErrorHandler.BAD_INPUT;
        }
        if (json) {
            out.print(status.toJson() + "\n");
        } else {
            out.printf(Locale.ROOT, "%-24s %-8s %8s %10s  %s%n", "GUEST", "STATE", "SECONDS", "COPIED", "ERROR");
            for (PlanStatus.Guest g : status.guests()) {
                out.printf(Locale.ROOT, "%-24s %-8s %8s %10s  %s%n", g.name(), g.state().label(),
                        g.seconds() == null ? "" : String.format(Locale.ROOT, "%.1f", g.seconds()),
                        g.bytesCopied() == null ? "" : OutputSpace.human(g.bytesCopied()),
                        g.error() == null ? "" : g.error());
            }
            PlanStatus.Totals t = status.totals();
            out.printf(Locale.ROOT, "%d guests: %d done, %d failed, %d skipped, %d pending, %d running%n", t.guests(),
                    t.done(), t.failed(), t.skipped(), t.pending(), t.running());
        }
        out.flush();
        return 0;
    }
}
