package org.xen2kvm.fs;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A guest filesystem seen as files. Paths are absolute within the filesystem
 * ({@code /etc/fstab}); absolute symlinks resolve inside it, never on the host.
 * Intermediate symlinks are followed; the last component is followed only where a method
 * says so. Failures that come from corrupt guest data throw {@link FileSystemException}
 * naming the filesystem, the path and the structure at fault.
 */
public interface GuestFileSystem extends Closeable {

    /** Information about {@code path} without following a final symlink, or empty. */
    Optional<FileInfo> lstat(String path) throws IOException;

    /** Information about {@code path} following symlinks, or empty (also for a dangling link). */
    Optional<FileInfo> stat(String path) throws IOException;

    /** Whole content of a regular file (following symlinks); refuses files over {@code maxBytes}. */
    byte[] readFile(String path, int maxBytes) throws IOException;

    /** Names in a directory (following symlinks), without {@code .} and {@code ..}, sorted. */
    List<String> list(String dir) throws IOException;

    /** Target of a symlink. */
    String readlink(String path) throws IOException;

    /**
     * Creates or replaces a regular file (following symlinks to an existing file). A new file
     * gets the given mode and owner; an existing one keeps its own.
     */
    void writeFile(String path, byte[] data, int mode, int uid, int gid) throws IOException;

    /** Creates a directory; the parent must exist. */
    void mkdir(String path, int mode, int uid, int gid) throws IOException;

    /** Creates a symlink at {@code path} pointing to {@code target}. */
    void symlink(String path, String target) throws IOException;

    /** Removes a file, symlink or empty directory. */
    void delete(String path) throws IOException;

    /** Sets permission bits. */
    void chmod(String path, int mode) throws IOException;

    /** False for a filesystem opened read-only. */
    boolean isWritable();

    /** A short name for messages (device and filesystem type). */
    String describe();

    /** Convenience: reads a text file as UTF-8 (at most 16 MiB). */
    default String readText(String path) throws IOException {
        return new String(readFile(path, 16 << 20), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Convenience: writes a text file as UTF-8, mode 0644 root:root when new. */
    default void writeText(String path, String text) throws IOException {
        writeFile(path, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0644, 0, 0);
    }

    /** Creates every missing directory along {@code path}, mode 0755 root:root. */
    default void mkdirs(String path) throws IOException {
        String[] parts = path.split("/");
        StringBuilder cur = new StringBuilder();
        for (String p : parts) {
            if (p.isEmpty()) {
                continue;
            }
            cur.append('/').append(p);
            if (stat(cur.toString()).isEmpty()) {
                mkdir(cur.toString(), 0755, 0, 0);
            }
        }
    }

    default boolean exists(String path) throws IOException {
        return lstat(path).isPresent();
    }
}
