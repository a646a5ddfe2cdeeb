package org.xen2kvm.kvm;

import java.util.Locale;

/** libvirt's domain type: hardware virtualization, or QEMU's emulation for hosts without KVM. */
public enum DomainType {
    KVM, QEMU;

    /** The name libvirt uses ({@code <domain type='kvm'>}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
