package org.xen2kvm.pipeline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

/** Writes the small outputs (domain XML, kernel, initrd) durably and registers them for cleanup first. */
final class OutputFiles {
    private OutputFiles() {
    }

    /**
     * Writes {@code data} to {@code file} through {@code file.part}: the data is forced to
     * disk before the rename, and the directory after it, so that a crash leaves either the
     * old state or the whole new file, never a short one under the final name.
     */
    static void write(Cleanup cleanup, Path file, byte[] data) throws IOException {
        createDirectories(cleanup, file.getParent());
        cleanup.output(file);
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(file.getParent());
    }

    /** Creates {@code dir} and its missing parents, registering each one made for removal on failure. */
    static void createDirectories(Cleanup cleanup, Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            Files.createDirectory(p);
            cleanup.createdDirectory(p);
        }
    }

    /** Makes a rename in {@code dir} durable (the directory entry, not only the file's data). */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
