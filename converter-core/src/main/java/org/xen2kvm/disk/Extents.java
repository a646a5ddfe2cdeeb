package org.xen2kvm.disk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Helpers for sorted extent lists. */
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
}
