package org.xen2kvm.pkg;

/**
 * One entry of a package as it went into the guest.
 *
 * @param path      the path the package names ({@code /lib/modules/REL/modules.order})
 * @param guestPath where it landed after the guest's symlinks ({@code /usr/lib/modules/...} on a usrmerge guest)
 * @param action    what was done
 * @param bytes     data bytes written (files and hard-link copies), 0 otherwise
 */
public record InstalledFile(String path, String guestPath, EntryType type, Action action, long bytes, int mode, int uid,
                            int gid, String linkTarget) {

    /** What the installer did with an entry. */
    public enum Action {
        /** Written anew. */
        CREATED,
        /** A file or symlink of that name was there and was replaced, as dpkg and rpm do. */
        REPLACED,
        /** A directory that was already there (or a symlink to one) was kept with its own mode and owner. */
        KEPT_DIRECTORY,
        /** A directory the package does not list but that its files need (RPM leaves out /boot, /lib/modules). */
        CREATED_PARENT
    }
}
