package org.xen2kvm.lvm;

import java.util.List;

/**
 * A segment of an LV: the LV extents {@code [startExtent, startExtent + extentCount)}, its
 * segment type ({@code striped} for linear and striped), the stripe size in bytes (0 when there
 * is one stripe) and its areas.
 */
public record LvSegment(long startExtent, long extentCount, String type, long stripeSizeBytes, List<Area> areas) {
    public LvSegment {
        areas = List.copyOf(areas);
    }

    /** An area of a segment: a PV (or, in types this reader refuses, an LV) named in the metadata, from an extent. */
    public record Area(String name, long startExtent) {
    }
}
