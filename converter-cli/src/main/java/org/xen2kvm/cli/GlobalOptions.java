package org.xen2kvm.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code -v}/{@code -q}, accepted by every subcommand. One instance per run, held by the
 * top-level command: state kept in static fields outlived the run that set it, so a
 * {@code -q} in one in-process run silenced the next.
 */
public final class GlobalOptions {
    /** What a command run on its own (without the top-level command) sees: neither option. */
    private static final GlobalOptions NONE = new GlobalOptions();

    private boolean verbose;
    private boolean quiet;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Show stage details and stack traces.")
    void setVerbose(boolean v) {
        verbose = v;
    }

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "Print only errors: convert and disk convert show no report or progress (with --json "
                    + "they still print the JSON result); inspect and disk info print as usual.")
    void setQuiet(boolean q) {
        quiet = q;
    }

    boolean verbose() {
        return verbose;
    }

    boolean quiet() {
        return quiet;
    }

    /** The options of the run {@code spec} is part of. */
    static GlobalOptions of(CommandSpec spec) {
        return spec.root().userObject() instanceof Xen2KvmCommand top && top.global != null ? top.global : NONE;
    }
}
