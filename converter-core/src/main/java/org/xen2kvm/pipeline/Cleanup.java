package org.xen2kvm.pipeline;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What a run must undo or release. Steps register things as they create them, before the
 * first byte is written, so that a failure at any point removes exactly what this run made.
 * Resources are closed in reverse order whatever happens; created files are removed only on
 * failure.
 */
public final class Cleanup {
    private final Deque<Closeable> resources = new ArrayDeque<>();
    private final Deque<Path> created = new ArrayDeque<>();
    private final List<Path> outputs = new ArrayList<>();

    /** Closes {@code resource} when the run ends (in reverse order of registration). */
    public <T extends Closeable> T closeAtEnd(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Closes {@code resource} now, ahead of the end of the run. */
    public void closeNow(Closeable resource) throws IOException {
        resources.remove(resource);
        resource.close();
    }

    /**
     * Records an output file this run is about to write (and its {@code .part}); removed if
     * the run fails, listed in the result if it succeeds.
     */
    public Path output(Path file) {
        created.push(file);
        outputs.add(file);
        return file;
    }

    /** Records a directory this run created; removed on failure if it is empty by then. */
    public Path createdDirectory(Path dir) {
        created.push(dir);
        return dir;
    }

    /** The outputs registered so far, in order. */
    public List<Path> outputs() {
        return List.copyOf(outputs);
    }

    /** Closes every resource; the first failure is thrown after all were tried. */
    void closeAll() throws IOException {
        IOException first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Removes what the run created, newest first, adding any trouble to {@code cause}. */
    void undo(Throwable cause) {
        try {
            closeAll();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        while (!created.isEmpty()) {
            Path p = created.pop();
            try {
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    try (var s = Files.list(p)) {
                        if (s.findAny().isEmpty()) {
                            Files.delete(p);
                        }
                    }
                } else {
                    Files.deleteIfExists(p);
                    Files.deleteIfExists(p.resolveSibling(p.getFileName() + ".part"));
                }
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
