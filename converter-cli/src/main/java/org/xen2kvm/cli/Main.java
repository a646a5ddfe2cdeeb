package org.xen2kvm.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Locale;
import org.xen2kvm.WarmUp;
import org.xen2kvm.image.open.ImageOpener;
import org.xen2kvm.image.write.DiskCopier;
import picocli.CommandLine;

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
        Interrupts.install(args);
        System.exit(execute(Xen2KvmCommand.newCommandLine(args), args));
    }

    /**
     * Runs {@code cl} on {@code args} with its output going to this process's stdout and
     * stderr, and flushes both before returning the exit code, so that nothing a command
     * printed is lost to the {@link System#exit} that follows.
     *
     * <p>Commands print only through {@code spec.commandLine().getOut()/getErr()}. The writers
     * are set here, on the whole command tree, rather than left to picocli: picocli makes one
     * lazily per command that asks, and a writer made for a subcommand is not one the caller
     * could flush.
     */
    static int execute(CommandLine cl, String... args) {
        PrintWriter out = writer(System.out, "sun.stdout.encoding");
        PrintWriter err = writer(System.err, "sun.stderr.encoding");
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
            System.out.flush();
            System.err.flush();
        }
    }

    /** A writer on {@code stream}, in the encoding of the terminal when there is one (as picocli's own). */
    private static PrintWriter writer(PrintStream stream, String encodingProperty) {
        Charset charset = Charset.defaultCharset();
        String name = System.getProperty(encodingProperty);
        if (name != null && Charset.isSupported(name)) {
            charset = Charset.forName(name);
        }
        return new PrintWriter(new OutputStreamWriter(stream, charset), true);
    }
}
