package org.xen2kvm.pkg;

/** The kinds of file a kernel package may carry; anything else (devices, fifos) is refused. */
public enum EntryType {
    FILE, DIRECTORY, SYMLINK,
    /** Another name for a file earlier in the archive ({@link PackageEntry#linkTarget()}). */
    HARDLINK
}
