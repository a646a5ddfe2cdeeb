package org.xen2kvm.cli;

import java.time.Duration;
import java.util.List;
import org.xen2kvm.Cancellation;
import org.xen2kvm.CancelledException;
import sun.misc.Signal;

/**
 * SIGINT (Ctrl-C) and SIGTERM (systemd stop, {@code kill}, an Ansible timeout) during a
 * command that writes ({@code convert}, {@code disk convert}, {@code plan run}): instead of
 * ending the JVM at once, which would leave partial disks, the run marker and perhaps a
 * defined domain until the next run, the signal sets {@link Cancellation#process()}. The work
 * notices within a chunk of a copy, undoes the run as after a failure, and the command exits
 * with 128 + the signal's number (130, 143) after one line saying so.
 *
 * <p>The undo is bounded: after {@link #UNDO_BOUND}, or at a second signal, the process
 * exits without waiting; the run marker then lets the next run of the same conversion
 * remove what is left. A shutdown hook could not do this: it cannot tell SIGINT from SIGTERM
 * nor from an ordinary exit, and the JVM has begun to stop when it runs. {@code sun.misc.Signal}
 * (module jdk.unsupported) is the JDK's supported way to handle a signal in Java.
 */
final class Interrupts {
    /** How long the work may take to undo itself before the process exits anyway. */
    static final Duration UNDO_BOUND = Duration.ofSeconds(20);

    private Interrupts() {
    }

    /** The exit status of a command interrupted by {@code signal} ({@code SIGINT}): 128 + its number. */
    static int exitCode(String signal) {
        return "SIGTERM".equals(signal) ? 143 : 130;
    }

    /** The one line a command interrupted by {@code e} prints (without the command's prefix). */
    static String message(CancelledException e, Throwable thrown) {
        Throwable[] trouble = thrown.getSuppressed();
        if (trouble.length > 0) {
            return "interrupted (" + e.reason() + "); could not remove all this run wrote: "
                    + ErrorHandler.message(trouble[0]);
        }
        return "interrupted (" + e.reason() + "); removed what this run wrote";
    }

    /** True when {@code args} run a command that undoes itself on cancellation. */
    static boolean undoable(String... args) {
        List<String> words = java.util.Arrays.stream(args).takeWhile(a -> !a.equals("--"))
                .filter(a -> !a.startsWith("-")).limit(2).toList();
        if (words.isEmpty()) {
            return false;
        }
        String second = words.size() > 1 ? words.get(1) : "";
        return switch (words.get(0)) {
            case "convert" -> true;
            case "disk" -> second.equals("convert");
            case "plan" -> second.equals("run");
            default -> false;
        };
    }

    /**
     * Makes SIGINT and SIGTERM cancel the process's work when {@code args} run a command that
     * undoes itself; other commands keep the JVM's default (exit at once: they write nothing).
     */
    static void install(String... args) {
        if (!undoable(args)) {
            return;
        }
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal.handle(new Signal(name), Interrupts::received);
            } catch (IllegalArgumentException e) {
                // Ignored when the process started (nohup, a background job): it cannot arrive.
            }
        }
    }

    private static void received(Signal signal) {
        String name = "SIG" + signal.getName();
        int code = 128 + signal.getNumber();
        if (!Cancellation.process().cancel(name)) {
            giveUp(name + " again", code);
        }
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(UNDO_BOUND.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            giveUp(name + "; the clean-up took more than " + UNDO_BOUND.toSeconds() + " s", code);
        }, "xen2kvm-interrupt-bound");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static void giveUp(String why, int code) {
        System.err.println("xen2kvm: interrupted (" + why + "); stopped without finishing the clean-up;"
                + " running the same conversion again removes what is left");
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }
}
