package org.xen2kvm.image.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Small outputs (domain XML, kernel, initrd) written so that after a crash or power loss the
 * final name holds either nothing or the complete file: bytes go to {@code NAME.part}, which
 * is fsynced, renamed into place, and then the directory is fsynced so the rename itself is on
 * disk.
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /**
     * Writes {@code data} to {@code file} atomically and durably. A {@code .part} left by an
     * earlier, killed run is replaced; on failure the {@code .part} is removed.
     *
     * @throws OutputExistsException when {@code file} exists and {@code replace} is false
     * @throws IOException           when writing, syncing or renaming fails
     */
    public static void writeAtomically(Path file, byte[] data, boolean replace) throws IOException {
        Path part = AtomicOutput.partOf(file);
        if (!replace && Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new OutputExistsException(file);
        }
        // Never written through: a stale .part (or a symlink put there) is removed, and
        // CREATE_NEW refuses anything that appears in its place.
        Files.deleteIfExists(part);
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                FileWrites.writeFully(ch, ByteBuffer.wrap(data), 0);
                ch.force(true);
            }
            if (replace) {
                Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(part);
            }
        }
        syncDirectory(file.toAbsolutePath().getParent());
    }

    /**
     * Flushes a directory's entries to stable storage. A rename (and a newly created file)
     * lives in the directory, not in the file: fsyncing the file alone leaves the new name in
     * the page cache, and after a power loss the output may be missing or still be the
     * {@code .part}, although the run reported success.
     *
     * @throws IOException when the directory cannot be opened or synced
     */
    public static void syncDirectory(Path dir) throws IOException {
        // Linux lets a directory be opened read-only and fsynced; FileChannel.force is that fsync.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
