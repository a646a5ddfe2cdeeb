package org.xen2kvm.disk;

import java.util.ArrayList;
import java.util.List;

/** Helpers for sorted, non-overlapping extent lists as {@link BlockDevice#allocatedExtents()} returns them. */
public final class Extents {
    private Extents() {
    }

    /** Appends {@code [offset, offset + length)} to a sorted list, merging with the last extent when they touch. */
    public static void append(List<Extent> out, long offset, long length) {
        if (length <= 0) {
            return;
        }
        int last = out.size() - 1;
        if (last >= 0 && out.get(last).end() >= offset) {
            Extent prev = out.get(last);
            out.set(last, new Extent(prev.offset(), Math.max(prev.end(), offset + length) - prev.offset()));
        } else {
            out.add(new Extent(offset, length));
        }
    }

    /**
     * Appends the parts of {@code sorted} that fall inside {@code [start, end)}.
     *
     * @param from index to start searching at; returns the index to resume from for a later,
     *             higher window, so walking many windows over one list stays linear
     */
    public static int appendClipped(List<Extent> out, List<Extent> sorted, int from, long start, long end) {
        int i = from;
        while (i < sorted.size() && sorted.get(i).end() <= start) {
            i++;
        }
        int j = i;
        while (j < sorted.size() && sorted.get(j).offset() < end) {
            Extent e = sorted.get(j);
            long s = Math.max(e.offset(), start);
            long t = Math.min(e.end(), end);
            append(out, s, t - s);
            if (e.end() > end) {
                break;
            }
            j++;
        }
        return i;
    }

    /** Sum of the lengths. */
    public static long totalLength(List<Extent> extents) {
        long sum = 0;
        for (Extent e : extents) {
            sum = Math.addExact(sum, e.length());
        }
        return sum;
    }

    /** A copy clipped to {@code [0, size)}. */
    public static List<Extent> clip(List<Extent> extents, long size) {
        List<Extent> out = new ArrayList<>();
        appendClipped(out, extents, 0, 0, size);
        return out;
    }
}
