package org.xen2kvm.config.xl;

import java.util.List;

/** A value on the right of {@code =}: an atom (string or number, kept as text) or a list. */
public sealed interface XlValue {
    int line();

    int column();

    /**
     * A string or a number. xl keeps every atom as text, so {@code '1024'} and {@code 1024}
     * are both usable as a number or as a string.
     *
     * @param quoted true for a quoted string, false for a bare number
     * @param raw    the text as written in the file (for messages)
     */
    record Atom(String text, boolean quoted, String raw, int line, int column) implements XlValue {
    }

    /** {@code [ v1, v2, ... ]}; elements may themselves be lists. */
    record ListValue(List<XlValue> items, int line, int column) implements XlValue {
        public ListValue {
            items = List.copyOf(items);
        }
    }
}
