package org.xen2kvm.batch;

import java.util.Set;

/**
 * How {@code plan run} goes about a plan.
 *
 * @param jobs        guests converted at the same time
 * @param shard       the share of the guests this run takes
 * @param only        just these guests (empty: all of the shard)
 * @param retryFailed convert guests that failed before (else they stay failed)
 * @param dryRun      plan every guest to do, run no hook, write nothing
 */
public record RunOptions(int jobs, Shard shard, Set<String> only, boolean retryFailed, boolean dryRun) {
    public RunOptions {
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs " + jobs + ": at least 1");
        }
        only = Set.copyOf(only);
    }
}
