package org.xen2kvm.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code -v}/{@code -q}, accepted by every subcommand. */
public final class GlobalOptions {
    static boolean verbose;
    static boolean quiet;

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
}
