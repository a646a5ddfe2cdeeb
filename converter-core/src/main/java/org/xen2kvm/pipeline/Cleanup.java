package org.xen2kvm.pipeline;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a run must undo or release. Steps register things as they create them, before the
 * first byte is written, so that a failure at any point removes exactly what this run made.
 * Resources are closed in reverse order whatever happens; created files are removed only on
 * failure.
 */
public final class Cleanup {
    private final Deque<Closeable> resources = new ArrayDeque<>();
    private final RunOutputs outputs = new RunOutputs();

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

    /** The files and directories this run writes, removed if it fails. */
    public RunOutputs outputs() {
        return outputs;
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

    /** Releases everything and removes what the run created, adding any trouble to {@code cause}. */
    void undo(Throwable cause) {
        try {
            closeAll();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        outputs.removeAll(cause);
    }
}
