package org.xen2kvm.image.write;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Flushes a file being written on a background thread each time another
 * {@value #FLUSH_EVERY} bytes were written. Without it the page cache holds the whole
 * output until the final flush, which then writes everything while the copy waits; with it
 * the disk writes while the copy goes on. A failed background flush is not an error here:
 * the final flush in {@link AtomicOutput#commit()} reports any error.
 */
final class BackgroundFlusher {
    /** Bytes written between two background flushes. */
    static final long FLUSH_EVERY = 128L << 20;

    private final FileChannel channel;
    private final String name;
    private long unflushed;
    private Thread thread;
    private boolean requested;
    private boolean stopped;

    BackgroundFlusher(FileChannel channel, String name) {
        this.channel = channel;
        this.name = name;
    }

    /** Counts written bytes and asks for a flush when enough have piled up. */
    void written(long bytes) {
        unflushed += bytes;
        if (unflushed < FLUSH_EVERY) {
            return;
        }
        unflushed = 0;
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (thread == null) {
                thread = new Thread(this::run, "xen2kvm-flush " + name);
                thread.setDaemon(true);
                thread.start();
            }
            requested = true;
            notifyAll();
        }
    }

    private void run() {
        while (true) {
            synchronized (this) {
                while (!requested && !stopped) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopped) {
                    return;
                }
                requested = false;
            }
            try {
                channel.force(false);
            } catch (IOException e) {
                // The final flush repeats the work and reports the error.
            }
        }
    }

    /** Stops the thread and waits for a flush in progress to end. */
    void stop() {
        Thread t;
        synchronized (this) {
            stopped = true;
            notifyAll();
            t = thread;
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
