package org.xen2kvm.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A host directory seen as a read-only guest filesystem (an unpacked package, a debootstrap
 * tree), for tests that need real trees too large for {@link MemoryFileSystem}. Symlinks are
 * resolved here, component by component, inside the directory: an absolute target starts at the
 * directory, never at the host's root, as the interface promises.
 */
public final class HostDirectoryFileSystem implements GuestFileSystem {
    private static final int MAX_SYMLINK_HOPS = 40;
    private final Path root;

    public HostDirectoryFileSystem(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The host path of a guest path, every symlink resolved in the guest; the last one only if {@code followLast}. */
    private Path resolve(String path, boolean followLast) throws IOException {
        List<String> todo = new ArrayList<>(List.of(path.split("/")));
        List<String> done = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.remove(0);
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            Path host = host(done).resolve(c);
            if (Files.isSymbolicLink(host) && (followLast || !todo.isEmpty())) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw new FileSystemException(describe() + ": " + path + ": more than " + MAX_SYMLINK_HOPS + " symlinks");
                }
                String target = Files.readSymbolicLink(host).toString();
                if (target.startsWith("/")) {
                    done.clear();
                }
                todo.addAll(0, List.of(target.split("/")));
                continue;
            }
            done.add(c);
        }
        return host(done);
    }

    private Path host(List<String> components) {
        Path p = root;
        for (String c : components) {
            p = p.resolve(c);
        }
        return p;
    }

    private Optional<FileInfo> info(String path, Path host) throws IOException {
        if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        PosixFileAttributes a = Files.readAttributes(host, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        FileType type = a.isSymbolicLink() ? FileType.SYMLINK : a.isDirectory() ? FileType.DIRECTORY
                : a.isRegularFile() ? FileType.REGULAR : FileType.FIFO;
        int mode = 0;
        for (PosixFilePermission p : a.permissions()) {
            mode |= 1 << (8 - p.ordinal());
        }
        return Optional.of(new FileInfo(path, type, mode, 0, 0, a.size(), a.lastModifiedTime().toMillis() / 1000));
    }

    @Override
    public Optional<FileInfo> lstat(String path) throws IOException {
        return info(path, resolve(path, false));
    }

    @Override
    public Optional<FileInfo> stat(String path) throws IOException {
        Path host = resolve(path, true);
        return Files.isSymbolicLink(host) ? Optional.empty() : info(path, host);
    }

    @Override
    public byte[] readFile(String path, int maxBytes) throws IOException {
        Path host = resolve(path, true);
        if (!Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileSystemException(describe() + ": " + path + " is not a regular file");
        }
        if (Files.size(host) > maxBytes) {
            throw new FileSystemException(describe() + ": " + path + " is larger than " + maxBytes + " bytes");
        }
        return Files.readAllBytes(host);
    }

    @Override
    public List<String> list(String dir) throws IOException {
        try (Stream<Path> s = Files.list(resolve(dir, true))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public String readlink(String path) throws IOException {
        return Files.readSymbolicLink(resolve(path, false)).toString();
    }

    private IOException readOnly() {
        return new FileSystemException(describe() + " is read-only");
    }

    @Override
    public void writeFile(String path, byte[] data, int mode, int uid, int gid) throws IOException {
        throw readOnly();
    }

    @Override
    public void mkdir(String path, int mode, int uid, int gid) throws IOException {
        throw readOnly();
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        throw readOnly();
    }

    @Override
    public void delete(String path) throws IOException {
        throw readOnly();
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        throw readOnly();
    }

    @Override
    public boolean isWritable() {
        return false;
    }

    @Override
    public String describe() {
        return "host directory " + root;
    }

    @Override
    public void close() {
    }
}
