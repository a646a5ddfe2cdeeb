package org.xen2kvm.pkg;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One dependency: satisfied when the guest has any of its alternatives (Debian's
 * {@code initramfs-tools | linux-initramfs-tool}; an RPM requirement has exactly one).
 */
public record Dependency(List<Relation> alternatives) {
    public Dependency {
        alternatives = List.copyOf(alternatives);
        if (alternatives.isEmpty()) {
            throw new IllegalArgumentException("a dependency needs at least one alternative");
        }
    }

    @Override
    public String toString() {
        return alternatives.stream().map(Relation::toString).collect(Collectors.joining(" | "));
    }
}
