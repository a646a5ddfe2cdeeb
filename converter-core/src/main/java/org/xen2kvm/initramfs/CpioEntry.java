package org.xen2kvm.initramfs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One member of a "newc" cpio archive, with every header field kept so that an archive read
 * and written again carries the same metadata. A symlink's data is its target. Of a group of
 * hard links (same {@code ino}, {@code nlink > 1}) only the last member carries the data, as
 * the format requires; {@code ino} is the number read and only groups hard links: the writer
 * assigns its own numbers, so equality leaves it out.
 */
public record CpioEntry(String name, int mode, long uid, long gid, long mtime, long nlink, long ino,
        long devMajor, long devMinor, long rdevMajor, long rdevMinor, byte[] data) {

    /** File type bits of {@code mode} (stat(2), S_IFMT). */
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;
    /** Permission, set-id and sticky bits. */
    public static final int PERMISSIONS = 07777;

    public CpioEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
    }

    /** A regular file owned by root. */
    public static CpioEntry file(String name, int permissions, long mtime, byte[] data) {
        return new CpioEntry(name, S_IFREG | (permissions & PERMISSIONS), 0, 0, mtime, 1, 0, 0, 0, 0, 0, data);
    }

    /** A directory owned by root. */
    public static CpioEntry directory(String name, int permissions, long mtime) {
        return new CpioEntry(name, S_IFDIR | (permissions & PERMISSIONS), 0, 0, mtime, 2, 0, 0, 0, 0, 0, new byte[0]);
    }

    /** A symbolic link owned by root. */
    public static CpioEntry symlink(String name, String target, long mtime) {
        return new CpioEntry(name, S_IFLNK | 0777, 0, 0, mtime, 1, 0, 0, 0, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    /** A character device node owned by root. */
    public static CpioEntry charDevice(String name, int permissions, int major, int minor, long mtime) {
        return new CpioEntry(name, S_IFCHR | (permissions & PERMISSIONS), 0, 0, mtime, 1, 0, 0, 0, major, minor, new byte[0]);
    }

    /** The same entry with other contents (and the given permission bits, type unchanged), no longer hard-linked. */
    public CpioEntry withData(byte[] newData, int permissions) {
        return new CpioEntry(name, (mode & S_IFMT) | (permissions & PERMISSIONS), uid, gid, mtime,
                isDirectory() ? nlink : 1, 0, devMajor, devMinor, rdevMajor, rdevMinor, newData);
    }

    public int type() {
        return mode & S_IFMT;
    }

    public boolean isRegular() {
        return type() == S_IFREG;
    }

    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    public boolean isSymlink() {
        return type() == S_IFLNK;
    }

    /** A member of a hard-link group: only the group's last member carries the data. */
    public boolean isHardLinked() {
        return nlink > 1 && !isDirectory();
    }

    /** The name without a leading "./" or "/", as the kernel extracts it. */
    public String path() {
        return InitramfsPaths.normalize(name);
    }

    /** The symlink target. */
    public String linkTarget() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /** One line for listings and golden files: type and mode, owner, links, size, name, link target. */
    public String describe() {
        String size = isSymlink() ? "" : " " + data.length;
        String dev = (type() == S_IFCHR || type() == S_IFBLK) ? " " + rdevMajor + ":" + rdevMinor : "";
        return String.format("%07o %d:%d %d%s%s %s%s", mode, uid, gid, nlink, size, dev, name,
                isSymlink() ? " -> " + linkTarget() : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpioEntry e && name.equals(e.name) && mode == e.mode && uid == e.uid && gid == e.gid
                && mtime == e.mtime && nlink == e.nlink && devMajor == e.devMajor && devMinor == e.devMinor
                && rdevMajor == e.rdevMajor && rdevMinor == e.rdevMinor && Arrays.equals(data, e.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, mode, mtime, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return describe();
    }
}
