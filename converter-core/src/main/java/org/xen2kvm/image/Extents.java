package org.xen2kvm.image;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;


/** Helpers for sorted, non-overlapping extent lists as {@link BlockDevice#allocatedExtents()} returns them. */
public final class Extents {
    private Extents() {
    }

    /** Union of two extent lists, sorted and with touching ranges merged. */
    public static List<Extent> union(List<Extent> a, List<Extent> b) {
        List<Extent> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return merge(all);
    }

    /** Sorts and merges overlapping or touching extents. */
    public static List<Extent> merge(List<Extent> extents) {
        List<Extent> sorted = new ArrayList<>(extents);
        sorted.sort(Comparator.comparingLong(Extent::offset));
        List<Extent> out = new ArrayList<>();
        long s = -1;
        long e = -1;
        for (Extent x : sorted) {
            if (x.length() == 0) {
                continue;
            }
            if (s >= 0 && x.offset() <= e) {
                e = Math.max(e, x.end());
            } else {
                if (s >= 0) {
                    out.add(new Extent(s, e - s));
                }
                s = x.offset();
                e = x.end();
            }
        }
        if (s >= 0) {
            out.add(new Extent(s, e - s));
        }
        return out;
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
