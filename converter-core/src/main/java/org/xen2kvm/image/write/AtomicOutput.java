package org.xen2kvm.image.write;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An output file that appears under its final name only when complete: data goes to
 * {@code NAME.part}, which is flushed to stable storage and renamed, and the directory is
 * flushed so the rename survives a power loss (see {@link DurableFiles}); if anything fails
 * before {@link #commit()}, closing deletes the {@code .part} so no half-written image is
 * ever mistaken for a good one.
 */
public final class AtomicOutput implements Closeable {
    /** Suffix of the file being written. */
    static final String PART_SUFFIX = ".part";

    private final Path destination;
    private final Path part;
    private final boolean replace;
    private final RandomAccessFile file;
    private boolean committed;
    private final BackgroundFlusher flusher;
    private final OutputWriter writer;

    private AtomicOutput(Path destination, Path part, boolean replace, RandomAccessFile file, boolean directWrites,
            int writers) {
        this.destination = destination;
        this.part = part;
        this.replace = replace;
        this.file = file;
        this.flusher = new BackgroundFlusher(file.getChannel(), destination.getFileName().toString());
        this.writer = OutputWriter.open(part, file.getChannel(), flusher, directWrites, writers);
    }

    /**
     * Starts writing {@code destination}.
     *
     * @throws OutputExistsException when it exists and {@code replace} is false
     */
    public static AtomicOutput create(Path destination, boolean replace) throws IOException {
        return create(destination, replace, false);
    }

    /**
     * Starts writing {@code destination}; with {@code directWrites}, aligned writes through
     * {@link #writer()} bypass the page cache where the file system allows it.
     *
     * @throws OutputExistsException when it exists and {@code replace} is false
     */
    static AtomicOutput create(Path destination, boolean replace, boolean directWrites) throws IOException {
        return create(destination, replace, directWrites, OutputWriter.WRITERS);
    }

    /** As {@link #create(Path, boolean, boolean)}, with {@code writers} direct writes in flight. */
    static AtomicOutput create(Path destination, boolean replace, boolean directWrites, int writers)
            throws IOException {
        if (!replace && Files.exists(destination, LinkOption.NOFOLLOW_LINKS)) {
            throw new OutputExistsException(destination);
        }
        Path part = partOf(destination);
        // A .part left by a killed run is ours to remove: it was never a finished image. It is
        // deleted rather than truncated so that a symlink put in its place is never written
        // through, and createFile (O_EXCL) refuses anything that appears there meanwhile.
        Files.deleteIfExists(part);
        Files.createFile(part);
        RandomAccessFile f;
        try {
            f = new RandomAccessFile(part.toFile(), "rw");
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        try {
            return new AtomicOutput(destination, part, replace, f, directWrites, writers);
        } catch (RuntimeException e) {
            f.close();
            Files.deleteIfExists(part);
            throw e;
        }
    }

    /** The temporary file next to {@code destination}. */
    public static Path partOf(Path destination) {
        return destination.resolveSibling(destination.getFileName() + PART_SUFFIX);
    }

    /** The file being written, {@code NAME.part}. */
    Path part() {
        return part;
    }

    public FileChannel channel() {
        return file.getChannel();
    }

    /** Sets the file length; growing leaves a hole, so no blocks are allocated. */
    public void setLength(long length) throws IOException {
        file.setLength(length);
    }

    /**
     * The image writer. What it writes through the page cache is flushed every so often on a
     * background thread, so the disk writes while the copy goes on and the final flush in
     * {@link #commit()} has little left to do.
     */
    OutputWriter writer() {
        return writer;
    }

    /** Flushes the data to stable storage and renames the file into place. */
    public void commit() throws IOException {
        writer.flush();
        flusher.stop();
        writer.close();
        // One fsync covers the file whichever descriptor wrote it, and flushes the device cache.
        file.getChannel().force(true);
        file.close();
        if (replace) {
            Files.move(part, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            // Re-check: another process may have created it while we copied.
            if (Files.exists(destination, LinkOption.NOFOLLOW_LINKS)) {
                throw new OutputExistsException(destination);
            }
            Files.move(part, destination, StandardCopyOption.ATOMIC_MOVE);
        }
        committed = true;
        DurableFiles.syncDirectory(destination.toAbsolutePath().getParent());
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            flusher.stop();
            writer.close();
            try {
                file.close();
            } finally {
                Files.deleteIfExists(part);
            }
        }
    }
}
