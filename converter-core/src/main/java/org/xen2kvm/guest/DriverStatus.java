package org.xen2kvm.guest;

/** How a kernel provides one driver. */
public enum DriverStatus {
    /** Compiled into the kernel ({@code modules.builtin}, or {@code =y} in {@code /boot/config-*}). */
    BUILTIN,
    /** A module file is installed under {@code /lib/modules/<release>}. */
    MODULE,
    /** The kernel's config or its module tree shows that the driver is not there. */
    MISSING,
    /** Neither a config nor a module tree of the kernel exists to tell. */
    UNKNOWN;

    /** Built in or installed as a module. */
    public boolean available() {
        return this == BUILTIN || this == MODULE;
    }

    /** Lower case, for reports and JSON ({@code builtin}, {@code module}, {@code missing}, {@code unknown}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
