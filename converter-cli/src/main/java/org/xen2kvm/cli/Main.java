package org.xen2kvm.cli;

import java.util.Locale;
import org.xen2kvm.WarmUp;
import org.xen2kvm.disk.open.ImageOpener;
import org.xen2kvm.disk.write.DiskCopier;

/** Entry point of the {@code xen2kvm} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        String subcommand = Xen2KvmCommand.subcommandOf(args);
        if (subcommand != null) {
            // Every subcommand opens disk images and all but inspect copy them. Loading that
            // code and JNA takes about as long as picocli takes to build and parse the command
            // line (~0.1 s each), so it is done meanwhile on the other CPU.
            WarmUp.inBackground(() -> {
                ImageOpener.warmUp();
                if (!subcommand.equals("inspect")) {
                    DiskCopier.warmUp();
                }
                // The first formatted number loads the locale data (~10 ms), which the result line needs.
                String.format(Locale.ROOT, "%d %.3f", 1L, 1.0);
            });
        }
        System.exit(Xen2KvmCommand.newCommandLine(args).execute(args));
    }
}
