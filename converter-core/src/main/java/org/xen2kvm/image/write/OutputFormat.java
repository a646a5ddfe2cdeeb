package org.xen2kvm.image.write;

import java.util.Locale;

/** Image formats the copier writes. */
public enum OutputFormat {
    RAW, QCOW2;

    /** The lower-case name qemu-img and libvirt use. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
