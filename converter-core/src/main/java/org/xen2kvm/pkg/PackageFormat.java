package org.xen2kvm.pkg;

/** The two package formats xen2kvm installs. */
public enum PackageFormat {
    /** Debian: ar archive of debian-binary, control.tar.*, data.tar.*. */
    DEB,
    /** RPM v3 file format: lead, signature header, header, cpio payload. */
    RPM
}
