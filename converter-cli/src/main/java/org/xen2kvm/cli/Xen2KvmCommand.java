package org.xen2kvm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code xen2kvm} command; work is done by its subcommands. */
@Command(name = "xen2kvm",
        mixinStandardHelpOptions = true,
        versionProvider = Xen2KvmCommand.Version.class,
        description = "Moves Xen guests (xl/xm configs, xend SXP, libvirt Xen XML, XenServer XVA) onto KVM hosts managed by libvirt.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:conversion failed (I/O, libvirt, guest problem)",
            "2:bad usage or invalid input (config, disk image)",
            "130/143:interrupted by SIGINT/SIGTERM; what the run wrote was removed"})
public final class Xen2KvmCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    GlobalOptions global;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The subcommands, in the order the help lists them. Suppliers rather than annotation
     * entries, so that {@link #newCommandLine(String...)} builds only the one it needs.
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("inspect", InspectCommand::new);
        m.put("convert", ConvertCommand::new);
        m.put("disk", DiskCommand::new);
        m.put("plan", PlanCommand::commandLine);
        m.put("help", CommandLine.HelpCommand::new);
        return m;
    }

    /** Builds the command line with all subcommands and exit-code mapping. */
    public static CommandLine newCommandLine() {
        return newCommandLine(new String[0]);
    }

    /**
     * Builds the command line for running {@code args}. When they name a subcommand, only
     * that one is built: picocli reads every option of every command it is given through
     * reflection, which costs around 50 ms of start-up for the commands a run does not use.
     * Otherwise (no subcommand, help, a typo) all are built, so help and "did you mean"
     * see them all.
     */
    public static CommandLine newCommandLine(String... args) {
        if (Boolean.getBoolean("xen2kvm.cds.training")) {
            // bin/xen2kvm sets this on the run that writes its class-data archive: the plan
            // commands' classes (Jackson's included, ~0.1 s of their start-up) go into the
            // archive whichever command that first run is.
            PlanCommand.commandLine();
            org.xen2kvm.batch.PlanFiles.warmUp();
        }
        CommandLine cl = new CommandLine(new Xen2KvmCommand());
        String chosen = subcommandOf(args);
        SUBCOMMANDS.forEach((name, factory) -> {
            if (chosen == null || chosen.equals(name)) {
                cl.addSubcommand(name, factory.get());
            }
        });
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new ErrorHandler());
        return cl;
    }

    /** The subcommand {@code args} run, or null when they run help or none (or name no known one). */
    static String subcommandOf(String... args) {
        for (String a : args) {
            if (a.equals("--")) {
                return null;
            }
            if (!a.startsWith("-")) {
                // The top-level options are all flags, so the first word is the subcommand.
                return SUBCOMMANDS.containsKey(a) && !a.equals("help") ? a : null;
            }
        }
        return null;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Xen2KvmCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"xen2kvm " + p.getProperty("version", "unknown")};
        }
    }
}
