package org.xen2kvm.config.sxp;

import java.util.List;
import java.util.Optional;

/** A parsed S-expression: an atom (bare or quoted, both plain text) or a list. */
public sealed interface SxpNode {
    int line();

    int column();

    record Atom(String text, int line, int column) implements SxpNode {
    }

    record ListNode(List<SxpNode> items, int line, int column) implements SxpNode {
        public ListNode {
            items = List.copyOf(items);
        }

        /** The type tag: the first element when it is an atom. */
        public String tag() {
            return !items.isEmpty() && items.get(0) instanceof Atom a ? a.text() : null;
        }

        /** Child lists tagged {@code tag}, in order. */
        public List<ListNode> children(String tag) {
            return items.stream().skip(1).filter(n -> n instanceof ListNode l && tag.equals(l.tag()))
                    .map(n -> (ListNode) n).toList();
        }

        public Optional<ListNode> child(String tag) {
            return children(tag).stream().findFirst();
        }

        /** The value of {@code (tag value)}: the text of its second element, or null. */
        public String value(String tag) {
            return child(tag).map(ListNode::firstValue).orElse(null);
        }

        /** The second element when it is an atom, else null. */
        public String firstValue() {
            return items.size() >= 2 && items.get(1) instanceof Atom a ? a.text() : null;
        }
    }
}
