package org.xen2kvm.edit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xen2kvm.edit.FileChange.FileState;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * Passes every call to a guest filesystem and remembers what each changed path held before
 * its first change, so the edits need not report their own changes and none is missed.
 */
final class RecordingFileSystem implements GuestFileSystem {

    /** Edited text files are configuration files; larger ones are reported as binary. */
    private static final int MAX_RECORDED_BYTES = 4 << 20;
    /** Binary files edited are initrds (tens of MiB); larger ones are compared by size alone. */
    private static final int MAX_DIGESTED_BYTES = 512 << 20;

    private final GuestFileSystem fs;
    private final Map<String, FileState> before = new LinkedHashMap<>();

    RecordingFileSystem(GuestFileSystem fs) {
        this.fs = fs;
    }

    private void remember(String path, boolean follow) throws IOException {
        if (!before.containsKey(path)) {
            before.put(path, state(fs, path, follow));
        }
    }

    static FileState state(GuestFileSystem fs, String path, boolean follow) throws IOException {
        Optional<FileInfo> st = follow ? fs.stat(path) : fs.lstat(path);
        if (st.isEmpty()) {
            return FileState.ABSENT;
        }
        FileType t = st.get().type();
        if (t == FileType.SYMLINK) {
            return FileState.symlink(fs.readlink(path));
        }
        if (t == FileType.DIRECTORY) {
            return FileState.DIRECTORY;
        }
        long size = st.get().size();
        if (t != FileType.REGULAR) {
            return FileState.file("(" + t + ", " + size + " bytes, not shown)\n");
        }
        if (size > MAX_DIGESTED_BYTES) {
            return FileState.binary(size, "not read");
        }
        byte[] data = fs.readFile(path, MAX_DIGESTED_BYTES);
        if (data.length <= MAX_RECORDED_BYTES && isText(data)) {
            return FileState.file(new String(data, StandardCharsets.UTF_8));
        }
        return FileState.binary(data.length, digest(data));
    }

    /** Text as diff(1) and git decide it: no NUL byte (an initrd, a compressed file has them). */
    static boolean isText(byte[] data) {
        for (byte b : data) {
            if (b == 0) {
                return false;
            }
        }
        return true;
    }

    private static String digest(byte[] data) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Every touched path with its state before and now, dropping those that ended as they began. */
    List<FileChange> changes() throws IOException {
        List<FileChange> out = new ArrayList<>();
        for (var e : before.entrySet()) {
            boolean follow = e.getValue().kind() == FileState.Kind.FILE;
            FileState now = state(fs, e.getKey(), follow);
            if (!now.equals(e.getValue())) {
                out.add(new FileChange(e.getKey(), e.getValue(), now));
            }
        }
        return out;
    }

    @Override
    public Optional<FileInfo> lstat(String path) throws IOException {
        return fs.lstat(path);
    }

    @Override
    public Optional<FileInfo> stat(String path) throws IOException {
        return fs.stat(path);
    }

    @Override
    public byte[] readFile(String path, int maxBytes) throws IOException {
        return fs.readFile(path, maxBytes);
    }

    @Override
    public List<String> list(String dir) throws IOException {
        return fs.list(dir);
    }

    @Override
    public String readlink(String path) throws IOException {
        return fs.readlink(path);
    }

    @Override
    public void writeFile(String path, byte[] data, int mode, int uid, int gid) throws IOException {
        remember(path, true);
        fs.writeFile(path, data, mode, uid, gid);
    }

    @Override
    public void mkdir(String path, int mode, int uid, int gid) throws IOException {
        remember(path, false);
        fs.mkdir(path, mode, uid, gid);
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        remember(path, false);
        fs.symlink(path, target);
    }

    @Override
    public void delete(String path) throws IOException {
        remember(path, false);
        fs.delete(path);
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        fs.chmod(path, mode);
    }

    @Override
    public boolean isWritable() {
        return fs.isWritable();
    }

    @Override
    public String describe() {
        return fs.describe();
    }

    @Override
    public void close() {
        // The caller owns the wrapped filesystem.
    }
}
