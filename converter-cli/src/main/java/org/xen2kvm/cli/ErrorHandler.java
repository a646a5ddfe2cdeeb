package org.xen2kvm.cli;

import java.nio.file.NoSuchFileException;
import org.xen2kvm.CancelledException;
import org.xen2kvm.config.ConfigParseException;
import org.xen2kvm.image.DiskFormatException;
import org.xen2kvm.image.write.OutputIsSourceException;
import org.xen2kvm.pkg.PackageFormatException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr and an exit code: 2 for bad input (a
 * definition or image that cannot be read), 1 for a conversion that failed, 130 or 143 for
 * one interrupted by SIGINT or SIGTERM (and undone).
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        CancelledException cancelled = CancelledException.in(e);
        if (cancelled != null) {
            cl.getErr().println("xen2kvm: " + Interrupts.message(cancelled, e));
            return Interrupts.exitCode(cancelled.reason());
        }
        cl.getErr().println("xen2kvm: " + message(e));
        if (GlobalOptions.of(cl.getCommandSpec()).verbose()) {
            e.printStackTrace(cl.getErr());
        }
        return isBadInput(e) ? BAD_INPUT : FAILED;
    }

    static boolean isBadInput(Throwable e) {
        return e instanceof ConfigParseException || e instanceof DiskFormatException
                || e instanceof NoSuchFileException || e instanceof IllegalArgumentException
                || e instanceof OutputIsSourceException || e instanceof PackageFormatException;
    }

    static String message(Throwable e) {
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": no such file";
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        return m.replace('\n', ' ');
    }
}
