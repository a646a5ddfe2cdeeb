package org.xen2kvm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code xen2kvm} command; work is done by its subcommands. */
@Command(name = "xen2kvm",
        mixinStandardHelpOptions = true,
        versionProvider = Xen2KvmCommand.Version.class,
        description = "Moves Xen guests (xl/xm configs, xend SXP, libvirt Xen XML, XenServer XVA) onto KVM hosts managed by libvirt.",
        subcommands = {InspectCommand.class, ConvertCommand.class, DiskCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:conversion failed (I/O, libvirt, guest problem)",
            "2:bad usage or invalid input (config, disk image)"})
public final class Xen2KvmCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    GlobalOptions global;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command line with all subcommands and exit-code mapping. */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new Xen2KvmCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new ErrorHandler());
        return cl;
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
