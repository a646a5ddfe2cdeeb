package org.xen2kvm.image.write;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.Extent;

/**
 * Reads extents of a device in large chunks on a background thread, so reading the source
 * overlaps with zero detection and writing. A fixed pool of buffers bounds the memory: the
 * reader waits when the consumer is behind. Only the reader thread touches the device.
 */
final class ChunkReader implements Closeable {
    /** Buffers in flight: one being read, one being written, one spare. */
    private static final int DEPTH = 3;

    /** A chunk of the device: {@code buffer}'s remaining bytes start at {@code offset}. */
    record Chunk(long offset, ByteBuffer buffer) {
    }

    private static final Object END = new Object();

    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(DEPTH);
    private final BlockingQueue<Object> ready = new ArrayBlockingQueue<>(DEPTH + 1);
    private final List<IoBuffer> owned = new ArrayList<>(DEPTH);
    private final Thread thread;
    private volatile boolean closed;
    private boolean ended;

    ChunkReader(BlockDevice source, List<Extent> extents, int chunkSize) {
        for (int i = 0; i < DEPTH; i++) {
            IoBuffer b = IoBuffer.allocate(chunkSize);
            owned.add(b);
            free.add(b.buffer());
        }
        thread = new Thread(() -> readAll(source, extents, chunkSize), "xen2kvm-read " + source.describe());
        thread.setDaemon(true);
        thread.start();
    }

    private void readAll(BlockDevice source, List<Extent> extents, int chunkSize) {
        Object last = END;
        try {
            for (Extent e : extents) {
                for (long off = e.offset(); off < e.end(); ) {
                    int len = (int) Math.min(chunkSize, e.end() - off);
                    ByteBuffer buf = free.take();
                    if (closed) {
                        return;
                    }
                    buf.clear().limit(len);
                    source.read(off, buf);
                    buf.flip();
                    ready.put(new Chunk(off, buf));
                    off += len;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Throwable t) {
            last = t;
        }
        // Room is guaranteed: at most DEPTH chunks are queued, and the queue holds DEPTH + 1.
        ready.add(last);
    }

    /**
     * The next chunk, or null after the last one.
     *
     * @throws IOException the error the reader met, rethrown in the caller's thread
     */
    Chunk next() throws IOException {
        if (ended) {
            return null;
        }
        Object o;
        try {
            o = ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the source", e);
        }
        if (o == END) {
            ended = true;
            return null;
        }
        if (o instanceof Chunk c) {
            return c;
        }
        ended = true;
        Throwable t = (Throwable) o;
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof UncheckedIOException u) {
            throw u.getCause();
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new IOException(t);
    }

    /** Gives a chunk's buffer back for reuse. */
    void release(Chunk chunk) {
        free.add(chunk.buffer());
    }

    /**
     * Stops the reader and releases the buffers, which no chunk may be used after. The reader
     * is not interrupted, since an interrupt during a FileChannel read closes the source's
     * channel; instead its buffers are handed back until it notices.
     */
    @Override
    public void close() {
        closed = true;
        try {
            while (thread.isAlive()) {
                Object o = ready.poll(10, TimeUnit.MILLISECONDS);
                if (o instanceof Chunk c) {
                    free.offer(c.buffer());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // the reader may still be reading into a buffer: leave them to the cleaner
        }
        owned.forEach(IoBuffer::close);
    }
}
