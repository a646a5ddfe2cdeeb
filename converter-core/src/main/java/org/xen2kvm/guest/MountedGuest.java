package org.xen2kvm.guest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * A guest's root filesystem with its other filesystems mounted on it (typically
 * {@code /boot} on RHEL and SLES), so that inspection and edits see one tree as the guest does.
 *
 * <p>A path is routed by its longest mount point prefix after removing {@code .} and
 * {@code ..} textually. Symlinks resolve inside the filesystem that holds them: a link in
 * the root that points into {@code /boot} is not followed across the mount. That is enough
 * for the files xen2kvm reads and edits, which live below their own mount.
 */
public final class MountedGuest implements GuestFileSystem {

    private final GuestFileSystem root;
    /** Mount point to filesystem, longest first so the first prefix match is the right one. */
    private final Map<String, GuestFileSystem> mounts;

    private record Routed(GuestFileSystem fs, String path) {
    }

    /**
     * @param mounts mount points ({@code /boot}) and the filesystems mounted there
     * @throws IllegalArgumentException for a mount point that is not an absolute path or is {@code /}
     */
    public MountedGuest(GuestFileSystem root, Map<String, GuestFileSystem> mounts) {
        this.root = root;
        List<String> points = new ArrayList<>();
        Map<String, GuestFileSystem> normalized = new LinkedHashMap<>();
        for (var e : mounts.entrySet()) {
            String p = normalize(e.getKey());
            if (p.equals("/") || !e.getKey().startsWith("/")) {
                throw new IllegalArgumentException("mount point '" + e.getKey() + "' must be an absolute path below /");
            }
            normalized.put(p, e.getValue());
            points.add(p);
        }
        points.sort(Comparator.comparingInt(String::length).reversed());
        Map<String, GuestFileSystem> ordered = new LinkedHashMap<>();
        for (String p : points) {
            ordered.put(p, normalized.get(p));
        }
        this.mounts = ordered;
    }

    /** Removes empty, {@code .} and {@code ..} components; {@code ..} at the root stays at the root. */
    static String normalize(String path) {
        List<String> parts = new ArrayList<>();
        for (String c : path.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else {
                parts.add(c);
            }
        }
        return "/" + String.join("/", parts);
    }

    private Routed route(String path) throws FileSystemException {
        if (path == null || !path.startsWith("/")) {
            throw new FileSystemException(describe() + ": " + path + ": not an absolute path inside the guest");
        }
        String p = normalize(path);
        for (var e : mounts.entrySet()) {
            String m = e.getKey();
            if (p.equals(m)) {
                return new Routed(e.getValue(), "/");
            }
            if (p.startsWith(m + "/")) {
                return new Routed(e.getValue(), p.substring(m.length()));
            }
        }
        return new Routed(root, p);
    }

    @Override
    public Optional<FileInfo> lstat(String path) throws IOException {
        Routed r = route(path);
        return r.fs().lstat(r.path()).map(i -> withPath(i, path));
    }

    @Override
    public Optional<FileInfo> stat(String path) throws IOException {
        Routed r = route(path);
        return r.fs().stat(r.path()).map(i -> withPath(i, path));
    }

    private static FileInfo withPath(FileInfo i, String path) {
        return new FileInfo(path, i.type(), i.mode(), i.uid(), i.gid(), i.size(), i.mtime());
    }

    @Override
    public byte[] readFile(String path, int maxBytes) throws IOException {
        Routed r = route(path);
        return r.fs().readFile(r.path(), maxBytes);
    }

    @Override
    public List<String> list(String dir) throws IOException {
        Routed r = route(dir);
        return r.fs().list(r.path());
    }

    @Override
    public String readlink(String path) throws IOException {
        Routed r = route(path);
        return r.fs().readlink(r.path());
    }

    @Override
    public void writeFile(String path, byte[] data, int mode, int uid, int gid) throws IOException {
        Routed r = route(path);
        r.fs().writeFile(r.path(), data, mode, uid, gid);
    }

    @Override
    public void mkdir(String path, int mode, int uid, int gid) throws IOException {
        Routed r = route(path);
        r.fs().mkdir(r.path(), mode, uid, gid);
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        Routed r = route(path);
        r.fs().symlink(r.path(), target);
    }

    @Override
    public void delete(String path) throws IOException {
        Routed r = route(path);
        r.fs().delete(r.path());
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        Routed r = route(path);
        r.fs().chmod(r.path(), mode);
    }

    /** Writable when every mounted filesystem is. */
    @Override
    public boolean isWritable() {
        return root.isWritable() && mounts.values().stream().allMatch(GuestFileSystem::isWritable);
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder(root.describe());
        mounts.forEach((m, fs) -> sb.append(" + ").append(fs.describe()).append(" on ").append(m));
        return sb.toString();
    }

    /** Does not close the filesystems: whoever opened them closes them. */
    @Override
    public void close() {
        // Nothing of our own to release.
    }
}
