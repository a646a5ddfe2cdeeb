package org.xen2kvm.pkg;

/**
 * One file of a package's payload.
 *
 * @param path       absolute path in the installed system, normalized ({@code /boot/vmlinuz-6.1.0-53-cloud-amd64})
 * @param mode       permission bits only ({@code 0644})
 * @param uid        numeric owner the archive records (deb tar; -1 where the format has names only)
 * @param gid        numeric group, as {@code uid}
 * @param user       owner name ({@code root}), or empty when the archive has none
 * @param group      group name, or empty
 * @param mtime      modification time, seconds since the epoch
 * @param size       data bytes of a {@link EntryType#FILE}, 0 otherwise
 * @param linkTarget symlink target as written, or for a hard link the normalized path of the
 *                   file it names; empty for other types
 */
public record PackageEntry(String path, EntryType type, int mode, int uid, int gid, String user, String group,
                           long mtime, long size, String linkTarget) {
}
