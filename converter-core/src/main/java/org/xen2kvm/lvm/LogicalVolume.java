package org.xen2kvm.lvm;

import java.util.List;
import java.util.Map;

/**
 * An LV of the metadata: name, UUID, status flags (READ, WRITE, VISIBLE...), segments in LV
 * order, and the other keys of its section kept for messages ({@code origin} of a snapshot...).
 */
public record LogicalVolume(String name, String uuid, List<String> status, List<LvSegment> segments,
        Map<String, String> otherKeys) {
    public LogicalVolume {
        status = List.copyOf(status);
        segments = List.copyOf(segments);
        otherKeys = Map.copyOf(otherKeys);
    }

    public long extentCount() {
        return segments.isEmpty() ? 0 : segments.get(segments.size() - 1).startExtent()
                + segments.get(segments.size() - 1).extentCount();
    }

    public boolean isVisible() {
        return status.contains("VISIBLE");
    }
}
