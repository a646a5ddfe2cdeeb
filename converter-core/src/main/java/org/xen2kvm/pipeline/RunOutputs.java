package org.xen2kvm.pipeline;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.image.write.AtomicOutput;
import org.xen2kvm.image.write.DurableFiles;

/**
 * What one conversion run put on disk, so that a failed run can take it all back: the files
 * (registered before their first byte, so a write failing part-way leaves no {@code .part})
 * and the directories it created, which are removed only if they are empty again.
 */
public final class RunOutputs {
    private final List<Path> files = new ArrayList<>();
    private final List<Path> directories = new ArrayList<>();
    private Path marker;

    /** Creates {@code dir} and its missing parents, remembering each one this run created. */
    void createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                directories.add(p);
            } catch (FileAlreadyExistsException e) {
                // Made meanwhile by someone else (or a directory we may use): not ours to remove.
                if (!Files.isDirectory(p)) {
                    throw e;
                }
            }
        }
    }

    /** Registers {@code file} (and its {@code .part}) for removal on failure; call before writing it. */
    void writing(Path file) {
        files.add(file);
    }

    /**
     * Registers the run marker for removal on failure, after every output (so that a run
     * killed while it cleans up still leaves the marker); it is not listed among the files.
     */
    void marker(Path file) {
        marker = file;
    }

    /** Writes a small output durably (see {@link DurableFiles}), registered before its first byte. */
    void write(Path file, byte[] data) throws IOException {
        createDirectories(file.toAbsolutePath().getParent());
        writing(file);
        DurableFiles.writeAtomically(file, data, true);
    }

    /** Removes the {@code .part} an earlier, killed run left for {@code file}: it was never finished. */
    static void removeStalePart(Path file) throws IOException {
        Path part = AtomicOutput.partOf(file);
        if (Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(part)) {
            Files.delete(part);
        }
    }

    /**
     * Removes a local copy that now lives elsewhere (a storage-pool volume): it is no longer
     * one of this run's files.
     */
    void handedOver(Path file) throws IOException {
        if (files.remove(file)) {
            Files.deleteIfExists(file);
            DurableFiles.syncDirectory(file.toAbsolutePath().getParent());
        }
    }

    /** The files written, in order. */
    List<Path> files() {
        return List.copyOf(files);
    }

    /** Removes every file and then every directory this run created, newest first. */
    void removeAll(Throwable cause) {
        for (int i = files.size() - 1; i >= 0; i--) {
            Path p = files.get(i);
            try {
                Files.deleteIfExists(p);
                Files.deleteIfExists(AtomicOutput.partOf(p));
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
        if (marker != null) {
            try {
                Files.deleteIfExists(marker);
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
        for (int i = directories.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(directories.get(i));
            } catch (DirectoryNotEmptyException e) {
                // Something else was put there meanwhile: it is not ours to remove.
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
