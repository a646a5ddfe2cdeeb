package org.xen2kvm.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.xen2kvm.batch.BadPlanException;
import org.xen2kvm.batch.ConvertArguments;
import org.xen2kvm.batch.DefinitionScanner;
import org.xen2kvm.batch.Plan;
import org.xen2kvm.batch.PlanBuilder;
import org.xen2kvm.batch.PlanEntry;
import org.xen2kvm.batch.PlanFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code xen2kvm plan create}: scans configs into a plan. Every option of {@code convert}
 * (but those a run decides) is accepted here too, taken over from convert's own option
 * specs, and becomes a plan-wide default: a new convert option is a plan option at once.
 */
@Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Scan Xen guest definitions (files, or folders such as a copy of /etc/xen) into a plan. "
                + "Convert options given here (--output-dir, --connect, --bridge, ...) become the plan's defaults.")
final class PlanCreateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SOURCE", arity = "1..*",
            description = "Config files or folders to scan (xl/xm, SXP, libvirt XML, .xva).")
    List<Path> sources;

    @Option(names = "--output", required = true, paramLabel = "PLAN.yaml", description = "The plan file to write.")
    Path output;

    @Option(names = "--overwrite", description = "Replace an existing plan file (its state folder is kept).")
    boolean overwrite;

    /** The options taken over from convert, so the parse result tells which were given. */
    private final Map<OptionSpec, String> convertOptions = new IdentityHashMap<>();

    static CommandLine commandLine() {
        PlanCreateCommand command = new PlanCreateCommand();
        CommandLine cl = new CommandLine(command);
        CommandSpec convert = CommandSpec.forAnnotatedObject(new ConvertCommand());
        for (OptionSpec o : convert.options()) {
            String key = o.longestName().replaceFirst("^-+", "");
            if (ConvertArguments.RESERVED.contains(key)) {
                continue;
            }
            OptionSpec copy = OptionSpec.builder(o).build();
            cl.getCommandSpec().addOption(copy);
            command.convertOptions.put(copy, key);
        }
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (Files.exists(output) && !overwrite) {
            err.println("xen2kvm: " + output + " exists; choose another --output or add --overwrite");
            return ErrorHandler.BAD_INPUT;
        }
        Map<String, Object> defaults = defaults();
        try {
            new PlanConverter().check("defaults", ConvertArguments.of(new Plan(Plan.VERSION, null, defaults, null, null,
                    null, null, null, null), probe(), Map.of()));
        } catch (BadPlanException e) {
            err.println("xen2kvm: " + e.getMessage().replaceFirst("^guest defaults: ", ""));
            return ErrorHandler.BAD_INPUT;
        }
        Object dir = defaults.get("output-dir");
        Path outputDir = Path.of(dir == null ? "." : dir.toString());
        DefinitionScanner.Result scan = DefinitionScanner.scan(sources);
        Plan plan = PlanBuilder.build(sources, scan, defaults, outputDir);
        PlanFiles.write(plan, output);
        long failed = plan.guests().stream().filter(g -> g.error() != null).count();
        out.printf("%s: %d guest(s)%s, %d file(s) left out%n", output, plan.guests().size(),
                failed == 0 ? "" : " (" + failed + " unreadable, listed as failed)", plan.skipped().size());
        for (PlanEntry g : plan.guests()) {
            out.printf("  %-24s %-6s %s%s%n", g.name(), g.format() == null ? "?" : g.format(), g.source(),
                    g.error() == null ? "" : "  FAILED: " + g.error());
        }
        if (GlobalOptions.of(spec).verbose()) {
            plan.skipped().forEach(s -> out.printf("  left out %s: %s%n", s.path(), s.reason()));
        }
        out.flush();
        for (String w : plan.warnings()) {
            err.println("warning: " + w);
        }
        err.flush();
        return 0;
    }

    /** A stand-in entry to check the defaults parse as a convert command line. */
    private static PlanEntry probe() {
        return new PlanEntry("probe", "probe.cfg", null, null, null, null, null, 1, false, null, null, null, null);
    }

    /** The convert options given, as plan defaults; paths made absolute so any run directory works. */
    private Map<String, Object> defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (OptionSpec o : parsed.matchedOptions()) {
            String key = convertOptions.get(o);
            if (key == null) {
                continue;
            }
            List<String> values = o.originalStringValues();
            boolean paths = o.type() == Path.class || (o.isMultiValue() && o.auxiliaryTypes().length > 0
                    && o.auxiliaryTypes()[0] == Path.class);
            List<String> given = new ArrayList<>();
            for (String v : values) {
                given.add(paths ? Path.of(v).toAbsolutePath().normalize().toString() : v);
            }
            if (o.arity().max() == 0 || given.isEmpty()) {
                m.put(key, true);
            } else if (o.isMultiValue()) {
                m.put(key, given);
            } else {
                m.put(key, given.get(given.size() - 1));
            }
        }
        return m;
    }
}
