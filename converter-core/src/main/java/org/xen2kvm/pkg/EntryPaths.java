package org.xen2kvm.pkg;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Archive member names as absolute, normalized guest paths. */
final class EntryPaths {
    /** Longer names are refused: PATH_MAX on Linux. */
    static final int MAX_PATH = 4096;

    private EntryPaths() {
    }

    /**
     * {@code ./boot/x}, {@code boot/x/} and {@code /boot/x} all become {@code /boot/x}; {@code ./}
     * becomes {@code /}. Empty for a name that could escape or confuse the tree: a {@code ..}
     * component, a NUL, or over {@link #MAX_PATH} bytes.
     */
    static Optional<String> normalize(String name) {
        if (name.length() > MAX_PATH || name.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                return Optional.empty();
            }
            parts.add(c);
        }
        return Optional.of("/" + String.join("/", parts));
    }
}
