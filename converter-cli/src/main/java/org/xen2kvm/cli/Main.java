package org.xen2kvm.cli;

import picocli.CommandLine;

/** Entry point of the {@code xen2kvm} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(Xen2KvmCommand.newCommandLine().execute(args));
    }
}
