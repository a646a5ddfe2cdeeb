package org.xen2kvm.fs.ext;

import java.util.List;

/**
 * Where a file's data lives: its runs sorted by logical block, and the mapping blocks
 * (extent tree nodes or indirect blocks) that describe them.
 */
record FileLayout(List<Run> runs, List<Long> mappingBlocks) {
    /** Physical block of {@code logical}, or -1 for a hole (or an unwritten extent, which reads as zeros). */
    long physicalOf(long logical) {
        int lo = 0;
        int hi = runs.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Run r = runs.get(mid);
            if (logical < r.logical()) {
                hi = mid - 1;
            } else if (logical >= r.logical() + r.length()) {
                lo = mid + 1;
            } else {
                return r.unwritten() ? -1 : r.physical() + (logical - r.logical());
            }
        }
        return -1;
    }

    long dataBlocks() {
        long n = 0;
        for (Run r : runs) {
            n += r.length();
        }
        return n;
    }
}
