package org.xen2kvm.cli;

import picocli.CommandLine.Command;

/** {@code xen2kvm disk}: disk images on their own (info, convert). */
@Command(name = "disk", mixinStandardHelpOptions = true,
        description = "Work on disk images alone: raw, qcow, qcow2, VHD (fixed, dynamic, differencing), XVA.",
        subcommands = {DiskInfoCommand.class, DiskConvertCommand.class})
final class DiskCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
