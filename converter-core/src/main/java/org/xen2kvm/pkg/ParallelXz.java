package org.xen2kvm.pkg;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.tukaani.xz.SeekableXZInputStream;

/**
 * An xz stream of several blocks inflated on all CPUs, block by block, and read in order.
 *
 * <p>dpkg-deb compresses with threads, so a kernel's {@code data.tar.xz} is a few blocks of
 * 24 MiB each, and each block can be inflated on its own. Inflating in Java runs at about
 * 25 MiB/s on one core: for the Debian cloud kernel (103 MiB) it was two thirds of an
 * {@code --install-kernel} conversion. Each block is checked as xz checks it (its CRC64 and
 * sizes against the index). Memory holds at most {@link #window} inflated blocks.
 */
final class ParallelXz extends InputStream {
    /** A block larger than this is inflated as one stream, without holding it whole. */
    static final long MAX_BLOCK = 64L << 20;

    private final FileChannel ch;
    private final long start;
    private final long length;
    private final int blocks;
    private final int window;
    private final ExecutorService pool;
    private final Deque<Future<byte[]>> pending = new ArrayDeque<>();
    private int submitted;
    private byte[] current = new byte[0];
    private int pos;

    private ParallelXz(FileChannel ch, long start, long length, int blocks, int threads) {
        this.ch = ch;
        this.start = start;
        this.length = length;
        this.blocks = blocks;
        this.window = threads + 1;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "xen2kvm-xz");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The stream in {@code [start, start + length)} of {@code ch}, inflated in parallel; empty
     * when that gains nothing or cannot be done (one block, no index, a block over
     * {@value #MAX_BLOCK} bytes, a single CPU): the caller then inflates it as one stream,
     * which also reports any corruption.
     */
    static java.util.Optional<InputStream> open(FileChannel ch, long start, long length) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2) {
            return java.util.Optional.empty();
        }
        try {
            SeekableXZInputStream index = new SeekableXZInputStream(new FileSlice(ch, start, length, false), PayloadCompression.XZ_MEMORY_LIMIT_KIB);
            int n = index.getBlockCount();
            if (n < 2 || index.getLargestBlockSize() > MAX_BLOCK) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new ParallelXz(ch, start, length, n, Math.min(cpus, 4)));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private byte[] inflate(int block) throws IOException {
        try (SeekableXZInputStream in = new SeekableXZInputStream(new FileSlice(ch, start, length, false),
                PayloadCompression.XZ_MEMORY_LIMIT_KIB)) {
            in.seekToBlock(block);
            long size = in.getBlockSize(block);
            byte[] data = in.readNBytes((int) size);
            // One byte more makes xz check the block's end (its CRC64 and sizes against the
            // index): the end of the stream after the last block, the next block's first byte otherwise.
            // (At the end, xz's read gives 0 bytes rather than -1.)
            boolean more = in.read(new byte[1], 0, 1) > 0;
            if (data.length != size || (block + 1 < blocks) != more) {
                throw new IOException("xz block " + block + " does not match the index (" + data.length + " of " + size
                        + " bytes" + (more ? "" : ", stream ends after it") + ")");
            }
            return data;
        }
    }

    private void fill() {
        while (submitted < blocks && pending.size() < window) {
            int b = submitted++;
            pending.add(pool.submit(() -> inflate(b)));
        }
    }

    private boolean next() throws IOException {
        fill();
        Future<byte[]> f = pending.poll();
        if (f == null) {
            return false;
        }
        try {
            current = f.get();
            pos = 0;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while inflating xz");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException(String.valueOf(c.getMessage()), c);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pos >= current.length) {
            if (!next()) {
                return -1;
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        pending.forEach(f -> f.cancel(true));
        pool.shutdownNow();
        ch.close();
    }
}
