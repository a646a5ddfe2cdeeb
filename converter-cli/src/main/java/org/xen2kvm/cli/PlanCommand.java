package org.xen2kvm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code xen2kvm plan}: many guests as one job (create, run, status). */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Convert the guests of a whole Xen host: create a plan (YAML you can edit) from its configs, "
                + "run it (in waves, several guests at a time, resumable, shardable across hosts), show its status.",
        exitCodeListHeading = "%nExit codes of plan run:%n",
        exitCodeList = {"0:every guest of the run is done or skipped", "1:a guest failed",
            "2:bad plan or usage (nothing was converted)",
            "130/143:interrupted by SIGINT/SIGTERM (the guests under way were undone and are pending again)"})
final class PlanCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The {@code plan} command with its subcommands; {@code create} takes every convert option. */
    static CommandLine commandLine() {
        CommandLine plan = new CommandLine(new PlanCommand());
        plan.addSubcommand("create", PlanCreateCommand.commandLine());
        plan.addSubcommand("run", new PlanRunCommand());
        plan.addSubcommand("status", new PlanStatusCommand());
        return plan;
    }
}
