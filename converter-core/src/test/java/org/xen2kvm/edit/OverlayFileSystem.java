package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * A writable view of a guest filesystem that keeps every change in memory and never
 * writes to it, so the edits can be previewed ({@code --dry-run}) on an image opened
 * read-only. Paths are resolved here, component by component, so a symlink created or
 * removed in the overlay is honoured; the lower filesystem only ever sees paths without symlinks.
 */
public final class OverlayFileSystem implements GuestFileSystem {

    /** Linux gives up after 40 symlinks in one lookup (ELOOP, path_resolution(7)). */
    private static final int MAX_SYMLINK_HOPS = 40;
    /** Bound on the bytes held by the overlay, as for any in-memory filesystem. */
    private static final long CAPACITY = 64L << 20;

    private enum Kind { FILE, SYMLINK, DIRECTORY, DELETED }

    /** An overlay entry; a FILE with null data keeps the lower file's content (only its mode changed). */
    private record Entry(Kind kind, byte[] data, String target, int mode, int uid, int gid) {
        long size() {
            return kind == Kind.FILE && data != null ? data.length : kind == Kind.SYMLINK ? target.length() : 0;
        }
    }

    /** Lookup errors that stat must report rather than call the file missing. */
    private static final class HardLookupException extends FileSystemException {
        HardLookupException(String message) {
            super(message);
        }
    }

    private final GuestFileSystem lower;
    private final Map<String, Entry> changes = new HashMap<>();
    private long used;

    public OverlayFileSystem(GuestFileSystem lower) {
        this.lower = lower;
    }

    private FileSystemException error(String path, String what) {
        return new FileSystemException(describe() + ": " + path + ": " + what);
    }

    private static String child(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    private static String parent(String canonical) {
        int i = canonical.lastIndexOf('/');
        return i <= 0 ? "/" : canonical.substring(0, i);
    }

    /** What a symlink-free path holds: the overlay's entry, else the lower filesystem's. */
    private Optional<FileInfo> node(String canonical) throws IOException {
        Entry e = changes.get(canonical);
        if (e != null) {
            return switch (e.kind()) {
                case DELETED -> Optional.empty();
                case FILE -> e.data() == null
                        ? lower.lstat(canonical).map(i -> new FileInfo(canonical, i.type(), e.mode(), i.uid(), i.gid(), i.size(), i.mtime()))
                        : Optional.of(new FileInfo(canonical, FileType.REGULAR, e.mode(), e.uid(), e.gid(), e.size(), 0));
                case SYMLINK -> Optional.of(new FileInfo(canonical, FileType.SYMLINK, 0777, 0, 0, e.size(), 0));
                case DIRECTORY -> Optional.of(new FileInfo(canonical, FileType.DIRECTORY, e.mode(), e.uid(), e.gid(), 0, 0));
            };
        }
        if (!canonical.equals("/") && changes.containsKey(parent(canonical))
                && changes.get(parent(canonical)).kind() != Kind.DIRECTORY) {
            return Optional.empty();
        }
        return lower.lstat(canonical);
    }

    private String target(String canonical) throws IOException {
        Entry e = changes.get(canonical);
        return e != null ? e.target() : lower.readlink(canonical);
    }

    /**
     * The symlink-free path {@code path} leads to, following the last component when asked.
     * A missing last component is allowed; a missing directory on the way is an error.
     */
    private String resolve(String path, boolean followLast) throws IOException {
        if (path == null || !path.startsWith("/")) {
            throw new HardLookupException(describe() + ": " + path + ": not an absolute path inside the guest");
        }
        Deque<String> todo = new ArrayDeque<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty() && !c.equals(".")) {
                todo.add(c);
            }
        }
        String cur = "/";
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.equals("..")) {
                cur = parent(cur);
                continue;
            }
            String next = child(cur, c);
            Optional<FileInfo> info = node(next);
            boolean last = todo.isEmpty();
            if (info.isPresent() && info.get().type() == FileType.SYMLINK && (!last || followLast)) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw new HardLookupException(describe() + ": " + path + ": too many levels of symbolic links (more than "
                            + MAX_SYMLINK_HOPS + "); the guest has a symlink loop");
                }
                String t = target(next);
                List<String> parts = new ArrayList<>();
                for (String p : t.split("/")) {
                    if (!p.isEmpty() && !p.equals(".")) {
                        parts.add(p);
                    }
                }
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
                if (t.startsWith("/")) {
                    cur = "/";
                }
                continue;
            }
            if (!last && (info.isEmpty() || info.get().type() != FileType.DIRECTORY)) {
                throw error(path, info.isEmpty() ? "no such directory: " + c : c + " is not a directory");
            }
            cur = next;
        }
        return cur;
    }

    private Optional<FileInfo> statAt(String path, boolean follow) throws IOException {
        String c;
        try {
            c = resolve(path, follow);
        } catch (HardLookupException e) {
            throw e;
        } catch (FileSystemException e) {
            return Optional.empty();
        }
        return node(c).map(i -> new FileInfo(path, i.type(), i.mode(), i.uid(), i.gid(), i.size(), i.mtime()));
    }

    @Override
    public Optional<FileInfo> lstat(String path) throws IOException {
        return statAt(path, false);
    }

    @Override
    public Optional<FileInfo> stat(String path) throws IOException {
        return statAt(path, true);
    }

    private FileInfo existing(String canonical, String path) throws IOException {
        return node(canonical).orElseThrow(() -> error(path, "no such file or directory"));
    }

    @Override
    public byte[] readFile(String path, int maxBytes) throws IOException {
        String c = resolve(path, true);
        FileInfo i = existing(c, path);
        if (i.type() != FileType.REGULAR) {
            throw error(path, "not a regular file (" + i.type() + ")");
        }
        Entry e = changes.get(c);
        if (e == null || e.data() == null) {
            return lower.readFile(c, maxBytes);
        }
        if (e.data().length > maxBytes) {
            throw error(path, "file is " + e.data().length + " bytes, more than the " + maxBytes + " allowed");
        }
        return e.data().clone();
    }

    @Override
    public List<String> list(String dir) throws IOException {
        String c = resolve(dir, true);
        if (existing(c, dir).type() != FileType.DIRECTORY) {
            throw error(dir, "not a directory");
        }
        TreeSet<String> names = new TreeSet<>();
        Entry self = changes.get(c);
        if (self == null && lower.lstat(c).map(i -> i.type() == FileType.DIRECTORY).orElse(false)) {
            names.addAll(lower.list(c));
        }
        String prefix = c.equals("/") ? "/" : c + "/";
        for (var e : changes.entrySet()) {
            String p = e.getKey();
            if (p.startsWith(prefix) && p.length() > prefix.length() && p.indexOf('/', prefix.length()) < 0) {
                if (e.getValue().kind() == Kind.DELETED) {
                    names.remove(p.substring(prefix.length()));
                } else {
                    names.add(p.substring(prefix.length()));
                }
            }
        }
        return List.copyOf(names);
    }

    @Override
    public String readlink(String path) throws IOException {
        String c = resolve(path, false);
        if (existing(c, path).type() != FileType.SYMLINK) {
            throw error(path, "not a symlink");
        }
        return target(c);
    }

    private void put(String canonical, Entry e) throws FileSystemException {
        Entry old = changes.get(canonical);
        long next = Math.addExact(used, e.size() - (old == null ? 0 : old.size()));
        if (next > CAPACITY) {
            throw error(canonical, "no space left: the dry-run overlay holds at most " + CAPACITY + " bytes");
        }
        used = next;
        changes.put(canonical, e);
    }

    private void requireParentDir(String canonical, String path) throws IOException {
        Optional<FileInfo> p = node(parent(canonical));
        if (p.isEmpty() || p.get().type() != FileType.DIRECTORY) {
            throw error(path, "parent is not a directory");
        }
    }

    @Override
    public void writeFile(String path, byte[] data, int mode, int uid, int gid) throws IOException {
        String c = resolve(path, true);
        Optional<FileInfo> old = node(c);
        if (old.isPresent() && old.get().type() != FileType.REGULAR) {
            throw error(path, "cannot write: is a " + old.get().type());
        }
        requireParentDir(c, path);
        FileInfo keep = old.orElse(null);
        put(c, new Entry(Kind.FILE, data.clone(), null, keep == null ? mode : keep.mode(),
                keep == null ? uid : keep.uid(), keep == null ? gid : keep.gid()));
    }

    @Override
    public void mkdir(String path, int mode, int uid, int gid) throws IOException {
        String c = resolve(path, false);
        if (node(c).isPresent()) {
            throw error(path, "already exists");
        }
        requireParentDir(c, path);
        put(c, new Entry(Kind.DIRECTORY, null, null, mode, uid, gid));
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        String c = resolve(path, false);
        if (node(c).isPresent()) {
            throw error(path, "already exists");
        }
        requireParentDir(c, path);
        put(c, new Entry(Kind.SYMLINK, null, target, 0777, 0, 0));
    }

    @Override
    public void delete(String path) throws IOException {
        String c = resolve(path, false);
        FileInfo i = existing(c, path);
        if (c.equals("/")) {
            throw error(path, "cannot delete this directory");
        }
        if (i.type() == FileType.DIRECTORY && !list(c).isEmpty()) {
            throw error(path, "directory not empty");
        }
        put(c, new Entry(Kind.DELETED, null, null, 0, 0, 0));
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        String c = resolve(path, true);
        FileInfo i = existing(c, path);
        Entry e = changes.get(c);
        if (i.type() == FileType.REGULAR) {
            put(c, new Entry(Kind.FILE, e == null ? null : e.data(), null, mode & 07777, i.uid(), i.gid()));
        } else if (i.type() == FileType.DIRECTORY) {
            put(c, new Entry(Kind.DIRECTORY, null, null, mode & 07777, i.uid(), i.gid()));
        }
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public String describe() {
        return lower.describe() + " (dry-run overlay)";
    }

    /** Leaves the lower filesystem open: whoever opened it closes it. */
    @Override
    public void close() {
        changes.clear();
    }
}
