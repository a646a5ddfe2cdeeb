package org.xen2kvm.pkg;

import java.util.Locale;
import java.util.Map;

/**
 * Debian and RPM architecture names reduced to one family each, so that an {@code amd64}
 * guest takes an {@code x86_64} RPM and an {@code i686} kernel fits an {@code i386} guest.
 */
public final class Architectures {
    private static final Map<String, String> FAMILY = Map.ofEntries(
            Map.entry("amd64", "x86_64"), Map.entry("x86_64", "x86_64"), Map.entry("x86-64", "x86_64"),
            Map.entry("i386", "i386"), Map.entry("i486", "i386"), Map.entry("i586", "i386"), Map.entry("i686", "i386"),
            Map.entry("athlon", "i386"), Map.entry("x86", "i386"),
            Map.entry("arm64", "aarch64"), Map.entry("aarch64", "aarch64"),
            Map.entry("ppc64el", "ppc64le"), Map.entry("ppc64le", "ppc64le"), Map.entry("ppc64", "ppc64"),
            Map.entry("s390x", "s390x"));

    private Architectures() {
    }

    /** The family of an architecture name ({@code amd64} -> {@code x86_64}); unknown names stand for themselves. */
    public static String family(String arch) {
        String a = arch.strip().toLowerCase(Locale.ROOT);
        return FAMILY.getOrDefault(a, a);
    }

    /**
     * True when a package built for {@code packageArch} runs on a {@code guestArch} guest;
     * an architecture-independent package ({@code all}, {@code noarch}) fits every guest.
     */
    public static boolean fits(String packageArch, String guestArch) {
        String p = family(packageArch);
        return p.equals("all") || p.equals("noarch") || p.equals(family(guestArch));
    }
}
