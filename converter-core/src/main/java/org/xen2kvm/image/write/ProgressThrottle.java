package org.xen2kvm.image.write;

import org.xen2kvm.image.ProgressListener;

import org.xen2kvm.image.ProgressEvent;

/**
 * Passes progress to a listener at most ten times a second, plus one final event, so a
 * listener that prints cannot slow the copy down.
 */
public final class ProgressThrottle {
    /** Minimum gap between two events: 100 ms, i.e. at most ~10 events per second. */
    private static final long MIN_INTERVAL_NANOS = 100_000_000L;

    private final ProgressListener listener;
    private final long total;
    private final String what;
    private final long startNanos;
    private long lastEmitNanos;
    private boolean finished;

    public ProgressThrottle(ProgressListener listener, long total, String what) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.total = total;
        this.what = what;
        this.startNanos = System.nanoTime();
        this.lastEmitNanos = startNanos;
    }

    /** Reports {@code done} bytes if the last event is at least 100 ms old. */
    public void update(long done) {
        long now = System.nanoTime();
        if (now - lastEmitNanos >= MIN_INTERVAL_NANOS && done < total) {
            lastEmitNanos = now;
            emit(done, now);
        }
    }

    /** Reports completion once. */
    public void finish() {
        if (!finished) {
            finished = true;
            emit(total, System.nanoTime());
        }
    }

    private void emit(long done, long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        listener.progress(new ProgressEvent(done, total, done / seconds, what));
    }
}
