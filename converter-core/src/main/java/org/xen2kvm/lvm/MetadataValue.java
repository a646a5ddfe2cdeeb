package org.xen2kvm.lvm;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A value of the LVM2 text metadata: a string, an integer, a list of those, or a section. */
public sealed interface MetadataValue {
    /** A quoted string, escapes resolved. */
    record Str(String value) implements MetadataValue {
    }

    /** An integer. */
    record Int(long value) implements MetadataValue {
    }

    /** A bracketed list. */
    record ListValue(List<MetadataValue> items) implements MetadataValue {
        public ListValue {
            items = List.copyOf(items);
        }
    }

    /** A {@code name { ... }} section; entries in text order, keys unique. The line is where it opens. */
    record Section(String name, int line, Map<String, MetadataValue> entries) implements MetadataValue {
        public Section {
            entries = Collections.unmodifiableMap(entries);
        }

        public Optional<MetadataValue> get(String key) {
            return Optional.ofNullable(entries.get(key));
        }
    }
}
