package org.xen2kvm.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A guest filesystem held in memory, for tests and dry runs. Symlinks resolve inside the
 * filesystem exactly as the interface says; loops end with an error after
 * {@value #MAX_SYMLINK_HOPS} hops (the Linux limit, path_resolution(7)), and the total file
 * content is bounded so a runaway writer fails instead of exhausting the heap.
 */
public final class MemoryFileSystem implements GuestFileSystem {

    /** Linux gives up after 40 symlinks in one lookup (ELOOP, path_resolution(7)). */
    public static final int MAX_SYMLINK_HOPS = 40;
    /** Default bound on the sum of all file sizes. */
    public static final long DEFAULT_CAPACITY = 64L << 20;
    /** Longest path component, as in ext4 (EXT4_NAME_LEN). */
    private static final int MAX_NAME = 255;

    private static final class Node {
        final FileType type;
        int mode;
        int uid;
        int gid;
        long mtime;
        byte[] data = new byte[0];
        String target;
        final TreeMap<String, Node> children;
        Node parent;

        Node(FileType type, int mode, int uid, int gid) {
            this.type = type;
            this.mode = mode;
            this.uid = uid;
            this.gid = gid;
            this.children = type == FileType.DIRECTORY ? new TreeMap<>() : null;
        }

        long size() {
            return type == FileType.SYMLINK ? target.getBytes(StandardCharsets.UTF_8).length : data.length;
        }
    }

    /** A lookup met more symlinks than Linux allows: stat must report it, not call the file missing. */
    private static final class SymlinkLoopException extends FileSystemException {
        SymlinkLoopException(String message) {
            super(message);
        }
    }

    /** Where a lookup ended: the directory holding the last component, its name, and the node if any. */
    private record Lookup(Node dir, String name, Node node) {
    }

    private final String name;
    private final long capacity;
    private final Node root;
    private boolean writable = true;
    private long used;

    public MemoryFileSystem(String name) {
        this(name, DEFAULT_CAPACITY);
    }

    public MemoryFileSystem(String name, long capacity) {
        this.name = name;
        this.capacity = capacity;
        this.root = new Node(FileType.DIRECTORY, 0755, 0, 0);
        this.root.parent = root;
    }

    /** Makes every later change fail, as for a filesystem opened read-only. */
    public MemoryFileSystem readOnly() {
        writable = false;
        return this;
    }

    /** Test helper: a text file, creating parent directories. */
    public MemoryFileSystem file(String path, String text) throws IOException {
        mkdirs(parentOf(path));
        writeText(path, text);
        return this;
    }

    /** Test helper: a symlink, creating parent directories. */
    public MemoryFileSystem link(String path, String target) throws IOException {
        mkdirs(parentOf(path));
        symlink(path, target);
        return this;
    }

    /** Test helper: a directory and its parents. */
    public MemoryFileSystem dir(String path) throws IOException {
        mkdirs(path);
        return this;
    }

    /** Bytes of file content held. */
    public long used() {
        return used;
    }

    private static String parentOf(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }

    private FileSystemException error(String path, String what) {
        return new FileSystemException(name + ": " + path + ": " + what);
    }

    private static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty() && !c.equals(".")) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Walks {@code path}, following every intermediate symlink and the last one when
     * {@code followLast}. A missing intermediate directory is an error; a missing last
     * component gives a Lookup without node.
     */
    private Lookup resolve(String path, boolean followLast) throws FileSystemException {
        requireAbsolute(path);
        Deque<String> todo = new ArrayDeque<>(components(path));
        Node dir = root;
        int hops = 0;
        if (todo.isEmpty()) {
            return new Lookup(root, "", root);
        }
        while (true) {
            String c = todo.pollFirst();
            if (c.length() > MAX_NAME) {
                throw error(path, "component longer than " + MAX_NAME + " bytes");
            }
            boolean last = todo.isEmpty();
            Node next = c.equals("..") ? dir.parent : dir.children.get(c);
            if (next != null && next.type == FileType.SYMLINK && (!last || followLast)) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw new SymlinkLoopException(name + ": " + path + ": too many levels of symbolic links (more than " + MAX_SYMLINK_HOPS
                            + "); the guest has a symlink loop");
                }
                List<String> t = components(next.target);
                for (int i = t.size() - 1; i >= 0; i--) {
                    todo.addFirst(t.get(i));
                }
                if (next.target.startsWith("/")) {
                    dir = root;
                }
                if (todo.isEmpty()) {
                    return new Lookup(dir, ".", dir);
                }
                continue;
            }
            if (last) {
                return new Lookup(dir, c, next);
            }
            if (next == null) {
                throw error(path, "no such directory: " + c);
            }
            if (next.type != FileType.DIRECTORY) {
                throw error(path, c + " is not a directory");
            }
            dir = next;
        }
    }

    private void requireAbsolute(String path) throws FileSystemException {
        if (path == null || !path.startsWith("/")) {
            throw error(String.valueOf(path), "not an absolute path inside the guest");
        }
    }

    private Node existing(String path, boolean follow) throws FileSystemException {
        Lookup l = resolve(path, follow);
        if (l.node() == null) {
            throw error(path, "no such file or directory");
        }
        return l.node();
    }

    private void checkWritable(String path) throws FileSystemException {
        if (!writable) {
            throw error(path, "filesystem is read-only");
        }
    }

    private static FileInfo info(String path, Node n) {
        return new FileInfo(path, n.type, n.mode, n.uid, n.gid, n.size(), n.mtime);
    }

    @Override
    public Optional<FileInfo> lstat(String path) throws IOException {
        requireAbsolute(path);
        try {
            Lookup l = resolve(path, false);
            return Optional.ofNullable(l.node()).map(n -> info(path, n));
        } catch (FileSystemException e) {
            if (e instanceof SymlinkLoopException) {
                throw e;
            }
            return Optional.empty();
        }
    }

    @Override
    public Optional<FileInfo> stat(String path) throws IOException {
        requireAbsolute(path);
        try {
            Lookup l = resolve(path, true);
            return Optional.ofNullable(l.node()).map(n -> info(path, n));
        } catch (FileSystemException e) {
            if (e instanceof SymlinkLoopException) {
                throw e;
            }
            return Optional.empty();
        }
    }

    @Override
    public byte[] readFile(String path, int maxBytes) throws IOException {
        Node n = existing(path, true);
        if (n.type != FileType.REGULAR) {
            throw error(path, "not a regular file (" + n.type + ")");
        }
        if (n.data.length > maxBytes) {
            throw error(path, "file is " + n.data.length + " bytes, more than the " + maxBytes + " allowed");
        }
        return n.data.clone();
    }

    @Override
    public List<String> list(String dir) throws IOException {
        Node n = existing(dir, true);
        if (n.type != FileType.DIRECTORY) {
            throw error(dir, "not a directory");
        }
        return List.copyOf(n.children.keySet());
    }

    @Override
    public String readlink(String path) throws IOException {
        Node n = existing(path, false);
        if (n.type != FileType.SYMLINK) {
            throw error(path, "not a symlink");
        }
        return n.target;
    }

    @Override
    public void writeFile(String path, byte[] data, int mode, int uid, int gid) throws IOException {
        checkWritable(path);
        Lookup l = resolve(path, true);
        if (l.node() != null) {
            if (l.node().type != FileType.REGULAR) {
                throw error(path, "cannot write: is a " + l.node().type);
            }
            reserve(path, data.length - (long) l.node().data.length);
            l.node().data = data.clone();
            return;
        }
        reserve(path, data.length);
        Node n = new Node(FileType.REGULAR, mode, uid, gid);
        n.data = data.clone();
        attach(path, l, n);
    }

    private void reserve(String path, long delta) throws FileSystemException {
        long next = Math.addExact(used, delta);
        if (next > capacity) {
            throw error(path, "no space left: " + capacity + " bytes hold all files of this in-memory filesystem");
        }
        used = next;
    }

    private void attach(String path, Lookup l, Node n) throws FileSystemException {
        if (l.name().equals(".") || l.name().equals("..")) {
            throw error(path, "cannot create '" + l.name() + "'");
        }
        n.parent = l.dir();
        l.dir().children.put(l.name(), n);
    }

    @Override
    public void mkdir(String path, int mode, int uid, int gid) throws IOException {
        checkWritable(path);
        Lookup l = resolve(path, false);
        if (l.node() != null) {
            throw error(path, "already exists");
        }
        attach(path, l, new Node(FileType.DIRECTORY, mode, uid, gid));
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        checkWritable(path);
        if (target == null || target.isEmpty() || target.length() > 4095) {
            throw error(path, "symlink target must be 1 to 4095 characters");
        }
        Lookup l = resolve(path, false);
        if (l.node() != null) {
            throw error(path, "already exists");
        }
        Node n = new Node(FileType.SYMLINK, 0777, 0, 0);
        n.target = target;
        reserve(path, n.size());
        attach(path, l, n);
    }

    @Override
    public void delete(String path) throws IOException {
        checkWritable(path);
        Lookup l = resolve(path, false);
        Node n = l.node();
        if (n == null) {
            throw error(path, "no such file or directory");
        }
        if (n == root || l.name().equals(".") || l.name().equals("..")) {
            throw error(path, "cannot delete this directory");
        }
        if (n.type == FileType.DIRECTORY && !n.children.isEmpty()) {
            throw error(path, "directory not empty");
        }
        l.dir().children.remove(l.name());
        used -= n.type == FileType.DIRECTORY ? 0 : n.size();
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        checkWritable(path);
        existing(path, true).mode = mode & 07777;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public String describe() {
        return name + " (memory)";
    }

    @Override
    public void close() {
        // Nothing to release.
    }

    @Override
    public String toString() {
        return describe() + " " + Arrays.toString(root.children.keySet().toArray());
    }
}
