package org.xen2kvm.image.write;

import org.xen2kvm.image.qcow2.Qcow2Format;

import java.util.Map;
import java.util.TreeMap;

/**
 * Refcounts of the host clusters whose refcount block is not yet written. The writer
 * allocates clusters in increasing order, so only the one or two blocks around the append
 * position are ever held (64 KiB each): memory does not grow with the image.
 */
final class RefcountTracker {
    private final TreeMap<Long, char[]> live = new TreeMap<>();

    /** Adds one reference to host cluster {@code cluster}. */
    void increment(long cluster) {
        long block = cluster / Qcow2Format.REFCOUNTS_PER_BLOCK;
        char[] counts = live.computeIfAbsent(block, b -> new char[Qcow2Format.REFCOUNTS_PER_BLOCK]);
        int i = (int) (cluster % Qcow2Format.REFCOUNTS_PER_BLOCK);
        if (counts[i] == Qcow2Format.MAX_REFCOUNT) {
            throw new IllegalStateException("refcount of host cluster " + cluster + " overflows 16 bits");
        }
        counts[i]++;
    }

    /** The lowest block still held, or -1. */
    long firstLiveBlock() {
        return live.isEmpty() ? -1 : live.firstKey();
    }

    /** Removes and returns the counts of {@code block} (all zero if never touched). */
    char[] take(long block) {
        char[] c = live.remove(block);
        return c != null ? c : new char[Qcow2Format.REFCOUNTS_PER_BLOCK];
    }

    /** The highest block holding a count, or -1. */
    long lastLiveBlock() {
        Map.Entry<Long, char[]> e = live.lastEntry();
        return e == null ? -1 : e.getKey();
    }
}
