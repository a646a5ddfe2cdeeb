package org.xen2kvm.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shared rules of the Jazzer fuzz targets: what a parser may throw, and how long one input
 * may take. A parser of guest data may refuse an input only with the exceptions it declares
 * (the project's {@link org.xen2kvm.Xen2KvmException} family and {@link IOException}
 * subclasses); anything else that escapes (NullPointerException, ArithmeticException,
 * IndexOutOfBoundsException, OutOfMemoryError, StackOverflowError ...) is a bug the fuzzer reports.
 */
public final class Fuzz {
    /**
     * How long one fuzzing run of a target lasts (JAZZER_FUZZ=1, testdata/fuzz.sh). Jazzer puts
     * the annotation's -max_total_time after any libFuzzer flags given, so it cannot be
     * overridden; longer campaigns repeat the run (FUZZ_SECONDS or FUZZ_ROUNDS), resuming from the corpus.
     */
    public static final String CI_DURATION = "15s";
    /**
     * One input must be handled within this much CPU time of the fuzzing thread; the first
     * inputs of a run also pay class loading and JIT. CPU time, not wall time: on a shared
     * machine a busy neighbour once stretched a 150 ms ext input to 1.8 s of wall time.
     * libFuzzer's -timeout (wall time, 10 s) still catches an input that hangs.
     */
    public static final long MAX_MILLIS_PER_INPUT = 1000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();
    /** Inputs run before the time limit applies, so start-up (JAXB, class loading) does not count. */
    private static final long WARM_UP_RUNS = 20;

    private static final AtomicLong RUNS = new AtomicLong();
    private static Path scratch;

    private Fuzz() {
    }

    /** A parser run on one input. */
    @FunctionalInterface
    public interface Target {
        void run() throws Exception;
    }

    /**
     * Runs {@code target}; returns normally when it succeeds or throws one of {@code declared},
     * rethrows anything else, and fails when the input took longer than {@link #MAX_MILLIS_PER_INPUT}.
     */
    @SafeVarargs
    public static void expect(Target target, Class<? extends Throwable>... declared) throws Exception {
        long start = now();
        try {
            target.run();
        } catch (Throwable t) {
            if (!isDeclared(t, declared)) {
                throw t;
            }
            if (t.getMessage() == null || t.getMessage().isBlank()) {
                throw new AssertionError("declared exception without a message", t);
            }
        }
        long millis = (now() - start) / 1_000_000;
        if (RUNS.incrementAndGet() > WARM_UP_RUNS && millis > MAX_MILLIS_PER_INPUT) {
            throw new AssertionError("one input took " + millis + " ms of " + (CPU_TIME ? "CPU" : "wall") + " time (limit "
                    + MAX_MILLIS_PER_INPUT + " ms)");
        }
    }

    private static long now() {
        return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static boolean isDeclared(Throwable t, Class<? extends Throwable>[] declared) {
        for (Class<? extends Throwable> c : declared) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes {@code data} to a scratch file reused by every input of this JVM (on tmpfs when
     * there is one), for parsers that open files by path.
     */
    public static synchronized Path file(String name, byte[] data) {
        try {
            if (scratch == null) {
                Path shm = Path.of("/dev/shm");
                Path parent = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
                scratch = Files.createTempDirectory(parent, "xen2kvm-fuzz-");
                scratch.toFile().deleteOnExit();
            }
            Path f = scratch.resolve(name);
            Files.write(f, data);
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
