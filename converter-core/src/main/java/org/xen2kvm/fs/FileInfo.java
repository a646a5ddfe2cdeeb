package org.xen2kvm.fs;

/**
 * What {@code stat} says of a file.
 *
 * @param mode  permission bits only (e.g. 0644), without the type
 * @param mtime modification time, seconds since the epoch
 */
public record FileInfo(String path, FileType type, int mode, int uid, int gid, long size, long mtime) {
}
