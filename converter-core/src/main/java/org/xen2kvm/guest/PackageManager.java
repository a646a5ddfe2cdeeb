package org.xen2kvm.guest;

/** The guest's package database, which says how software (a kernel, a driver) would be installed in it. */
public enum PackageManager {
    /** {@code /var/lib/rpm} (or {@code /usr/lib/sysimage/rpm} since RHEL 9): Red Hat and SUSE families. */
    RPM,
    /** {@code /var/lib/dpkg/status}: Debian and Ubuntu. */
    DPKG,
    UNKNOWN
}
