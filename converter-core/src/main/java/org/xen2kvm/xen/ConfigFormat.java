package org.xen2kvm.xen;

import java.util.Locale;
import java.util.Optional;

/** The kinds of Xen guest definition xen2kvm reads. */
public enum ConfigFormat {
    XL, XM, SXP, LIBVIRT, XVA;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ConfigFormat> fromName(String name) {
        for (ConfigFormat f : values()) {
            if (f.label().equalsIgnoreCase(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
