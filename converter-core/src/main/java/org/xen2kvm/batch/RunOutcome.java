package org.xen2kvm.batch;

/**
 * What a run did about one guest.
 *
 * @param result what came of it
 * @param state  the guest's state afterwards (null when it has none: skipped, busy, dry run)
 * @param note   one line for the user (the error, "done earlier", "held by another run")
 */
public record RunOutcome(Result result, GuestState state, String note) {
    public enum Result {
        /** Converted now. */
        CONVERTED,
        /** Done by an earlier run: not redone. */
        ALREADY_DONE,
        /** {@code skip: true}. */
        SKIPPED,
        /** Another run holds the guest (a concurrent shard): left to it. */
        BUSY,
        /** Failed now, or failed earlier and not retried. */
        FAILED,
        /** A dry run's plan of it succeeded. */
        PLANNED,
        /**
         * The run was interrupted (SIGINT, SIGTERM): a conversion under way was undone and the
         * guest is pending again; a guest not yet started was left as it was.
         */
        INTERRUPTED
    }

    public boolean failed() {
        return result == Result.FAILED;
    }
}
