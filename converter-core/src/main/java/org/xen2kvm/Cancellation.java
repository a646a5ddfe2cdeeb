package org.xen2kvm;

/**
 * A request to stop a conversion, set from outside the thread doing the work (the CLI sets
 * {@link #process()} when it receives SIGINT or SIGTERM). The work polls it at points where
 * stopping is cheap, between pipeline steps and once per chunk of a disk copy, and throws
 * {@link CancelledException}; the pipeline then undoes the run as it would after a failure.
 */
public final class Cancellation {
    private static final Cancellation PROCESS = new Cancellation();

    private volatile String reason;

    /** The cancellation of this process's work: what a signal handler sets. */
    public static Cancellation process() {
        return PROCESS;
    }

    /**
     * Asks the work to stop.
     *
     * @param why what asked, for the message ({@code SIGTERM})
     * @return false when it had already been asked (a second signal)
     */
    public synchronized boolean cancel(String why) {
        if (reason != null) {
            return false;
        }
        reason = why;
        return true;
    }

    public boolean cancelled() {
        return reason != null;
    }

    /** What asked the work to stop, or null when nothing did. */
    public String reason() {
        return reason;
    }

    /**
     * Stops the work here if it was asked to stop.
     *
     * @param where what was being done ({@code copying vda.raw}), for the message
     * @throws CancelledException when {@link #cancel} was called
     */
    public void check(String where) throws CancelledException {
        String why = reason;
        if (why != null) {
            throw new CancelledException(why, where);
        }
    }
}
