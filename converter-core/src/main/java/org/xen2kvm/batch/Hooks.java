package org.xen2kvm.batch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a guest's {@code pre}/{@code post} commands with {@code sh -c}, stdin closed, stdout and
 * stderr together; the environment names the guest ({@code XEN2KVM_GUEST},
 * {@code XEN2KVM_TARGET}, {@code XEN2KVM_SOURCE}, {@code XEN2KVM_PLAN}, {@code XEN2KVM_HOOK},
 * and for post hooks {@code XEN2KVM_OUTPUTS}).
 */
final class Hooks {
    /** What a failing hook's message keeps of its output: the end, where the error is. */
    static final int OUTPUT_TAIL_BYTES = 4096;

    private Hooks() {
    }

    /** A hook that exited non-zero or ran out of time. */
    static final class HookFailedException extends Exception {
        final String output;

        HookFailedException(String message, String output) {
            super(message);
            this.output = output;
        }
    }

    /**
     * Runs {@code commands} in order, stopping at the first that fails.
     *
     * @throws HookFailedException when one exits non-zero or outlives {@code timeoutSeconds}
     */
    static void run(String kind, List<String> commands, Map<String, String> env, int timeoutSeconds)
            throws HookFailedException, IOException, InterruptedException {
        for (String command : commands) {
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            pb.environment().put("XEN2KVM_HOOK", kind);
            Process p = pb.start();
            Tail tail = new Tail(p.getInputStream());
            Thread reader = new Thread(tail, "hook-output");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                reader.join(1000);
                throw new HookFailedException(kind + " hook `" + command + "` still running after " + timeoutSeconds
                        + " s; stopped", tail.text());
            }
            reader.join(5000);
            if (p.exitValue() != 0) {
                String out = tail.text();
                String last = lastLine(out);
                throw new HookFailedException(kind + " hook `" + command + "` exited " + p.exitValue()
                        + (last.isEmpty() ? "" : ": " + last), out);
            }
        }
    }

    private static String lastLine(String out) {
        String t = out.strip();
        int nl = t.lastIndexOf('\n');
        return nl < 0 ? t : t.substring(nl + 1);
    }

    /** Keeps the last {@link #OUTPUT_TAIL_BYTES} bytes of a stream. */
    private static final class Tail implements Runnable {
        private final InputStream in;
        private final byte[] ring = new byte[OUTPUT_TAIL_BYTES];
        private long total;

        Tail(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (this) {
                        for (int i = 0; i < n; i++) {
                            ring[(int) (total++ % ring.length)] = buf[i];
                        }
                    }
                }
            } catch (IOException e) {
                // the process went away; what was read is kept
            }
        }

        synchronized String text() {
            int len = (int) Math.min(total, ring.length);
            byte[] out = new byte[len];
            for (int i = 0; i < len; i++) {
                out[i] = ring[(int) ((total - len + i) % ring.length)];
            }
            return new String(out, StandardCharsets.UTF_8);
        }
    }
}
