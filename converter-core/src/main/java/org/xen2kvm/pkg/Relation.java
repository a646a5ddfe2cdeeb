package org.xen2kvm.pkg;

/**
 * One package or capability a package needs, with an optional version constraint.
 *
 * @param name     package name, virtual package or RPM capability ({@code kmod}, {@code /bin/sh})
 * @param operator {@code >=}, {@code <<}, {@code =} ... as the format writes it, or empty
 * @param version  the version the operator compares with, or empty
 */
public record Relation(String name, String operator, String version) {
    @Override
    public String toString() {
        return operator.isEmpty() ? name : name + " (" + operator + " " + version + ")";
    }
}
