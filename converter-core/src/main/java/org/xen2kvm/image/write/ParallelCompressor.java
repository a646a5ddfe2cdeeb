package org.xen2kvm.image.write;

import org.xen2kvm.image.qcow2.Qcow2Format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compresses clusters on all processors while keeping their order: results come back in
 * the order clusters went in. At most {@link #window} clusters are in flight, so memory
 * stays at a few MiB whatever the disk size.
 */
final class ParallelCompressor implements AutoCloseable {
    /** A cluster and its compressed form {@code output[0, length)}; length -1 when compression did not pay. */
    record Result(long guestCluster, byte[] input, byte[] output, int length) {
    }

    private final ExecutorService pool;
    private final ThreadLocal<ClusterCompressor> compressors;
    private final ArrayDeque<Future<Result>> inFlight = new ArrayDeque<>();
    private final int window;
    private final int limit;
    /** Buffers for reuse; only the caller's thread touches these. */
    private final ArrayDeque<byte[]> freeInputs = new ArrayDeque<>();
    private final ArrayDeque<byte[]> freeOutputs = new ArrayDeque<>();

    ParallelCompressor(int limit) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "xen2kvm-compress-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.compressors = ThreadLocal.withInitial(() -> new ClusterCompressor(limit));
        this.window = threads * 8;
        this.limit = limit;
    }

    /** True when the caller should take a result before submitting more. */
    boolean full() {
        return inFlight.size() >= window;
    }

    boolean isEmpty() {
        return inFlight.isEmpty();
    }

    /** Queues a copy of {@code cluster} (all its remaining bytes, at most a cluster) for compression. */
    void submit(long guestCluster, ByteBuffer cluster) {
        byte[] input = freeInputs.isEmpty() ? new byte[Qcow2Format.CLUSTER_SIZE] : freeInputs.poll();
        byte[] output = freeOutputs.isEmpty() ? new byte[limit] : freeOutputs.poll();
        int inputLength = cluster.remaining();
        cluster.get(input, 0, inputLength);
        inFlight.add(pool.submit(() -> {
            ClusterCompressor c = compressors.get();
            int len = c.compress(ByteBuffer.wrap(input, 0, inputLength));
            if (len >= 0) {
                System.arraycopy(c.output(), 0, output, 0, len);
            }
            return new Result(guestCluster, input, output, len);
        }));
    }

    /** Gives a result's buffers back once its data is written. */
    void release(Result r) {
        freeInputs.add(r.input());
        freeOutputs.add(r.output());
    }

    /** The oldest submitted cluster's result, waiting for it. */
    Result take() throws IOException {
        Future<Result> f = inFlight.poll();
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compressing", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("compressing a cluster failed: " + cause, cause);
        }
    }

    @Override
    public void close() {
        inFlight.forEach(f -> f.cancel(false));
        inFlight.clear();
        pool.shutdownNow();
    }
}
