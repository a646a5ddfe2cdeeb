package org.xen2kvm.image;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded least-recently-used cache of mapping tables (qcow L2 tables, VHD sector bitmaps)
 * keyed by their host offset. Not thread-safe, like the devices that own it.
 */
public final class TableCache<V> {
    private final LinkedHashMap<Long, V> map;

    /** @param maxEntries how many tables to keep; at least 1 */
    public TableCache(int maxEntries) {
        int max = Math.max(1, maxEntries);
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, V> eldest) {
                return size() > max;
            }
        };
    }

    /** Entries fitting in {@link ImageLimits#TABLE_CACHE_BYTES} for tables of {@code tableBytes}. */
    public static int entriesFor(long tableBytes) {
        return (int) Math.max(4, Math.min(65536, ImageLimits.TABLE_CACHE_BYTES / Math.max(1, tableBytes)));
    }

    public V get(long key) {
        return map.get(key);
    }

    public void put(long key, V value) {
        map.put(key, value);
    }
}
