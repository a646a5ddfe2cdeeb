package org.xen2kvm.image.write;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import java.io.Closeable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.xen2kvm.image.Extent;
import org.xen2kvm.image.Libc;

/**
 * Allocates a raw output's blocks for the source's small data extents before the copy
 * starts (fallocate(2); the blocks read as zeros until written), and gives the all-zero
 * stretches inside them back afterwards (FALLOC_FL_PUNCH_HOLE), so the image stays as sparse
 * as without it.
 *
 * <p>Why: a raw image's data lands where it sits on the source, so a sparse source turns
 * into many separate direct writes into holes. ext4 runs each such write under the file's
 * exclusive lock until the device completes it, so they reach the device one at a time;
 * over allocated blocks they run side by side. Allocating first does not help once writes
 * are in flight, because fallocate waits for all of them (inode_dio_wait), hence "before the
 * copy starts". Measured on the benchmark VM (8 GiB source, 256 extents of 4 MiB), copy time
 * 0.79-0.91 s without, 0.71-0.80 s with it and four writers.
 *
 * <p>Only extents up to {@link #MAX_EXTENT} are allocated: a large extent (a fully allocated
 * image or a block device is one extent) may be mostly zeros, and allocating it would
 * briefly need its whole size in free space. Zero stretches are punched in batches of at
 * most {@link #MAX_PENDING}, so memory stays bounded. A file system without fallocate, or
 * any failing call, turns it off; the image is the same without it (a stretch that could
 * not be punched still reads as zeros, only it takes space).
 */
final class RawPreallocation implements Closeable {
    /** Largest source extent allocated ahead. */
    static final long MAX_EXTENT = 64L << 20;
    /** Zero stretches remembered before they are punched. */
    static final int MAX_PENDING = 4096;

    /** The libc calls used. */
    interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final LibC LIBC = Libc.load(LibC.class);
    /** open(2) flags: write-only, close-on-exec. */
    private static final int O_WRONLY_CLOEXEC = 0x1 | 0x80000;
    /** fallocate modes from linux/falloc.h. */
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;

    private int fd;
    /** Allocated extents, sorted and disjoint. */
    private final List<Extent> allocated;
    private final long[] pending = new long[2 * MAX_PENDING];
    private int pendingCount;
    private long punched;

    private RawPreallocation(int fd, List<Extent> allocated) {
        this.fd = fd;
        this.allocated = allocated;
    }

    /** One that allocates nothing, for when it cannot or should not. */
    static RawPreallocation none() {
        return new RawPreallocation(-1, List.of());
    }

    /**
     * Allocates, in {@code file} (the output, sized, with no write in flight), every extent
     * of {@code extents} (sorted, disjoint, aligned to the output's blocks) up to
     * {@link #MAX_EXTENT} long.
     */
    static RawPreallocation allocate(Path file, List<Extent> extents) {
        if (LIBC == null) {
            return none();
        }
        int fd;
        try {
            fd = LIBC.open(file.toString(), O_WRONLY_CLOEXEC);
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return none();
        }
        List<Extent> done = new ArrayList<>();
        try {
            for (Extent e : extents) {
                if (e.length() <= MAX_EXTENT) {
                    LIBC.fallocate(fd, FALLOC_FL_KEEP_SIZE, e.offset(), e.length());
                    done.add(e);
                }
            }
        } catch (LastErrorException e) {
            // EOPNOTSUPP, ENOSPC...: keep what was allocated, so its zeros are still punched.
        }
        return new RawPreallocation(fd, done);
    }

    /** Bytes allocated ahead. */
    long allocatedBytes() {
        long sum = 0;
        for (Extent e : allocated) {
            sum += e.length();
        }
        return sum;
    }

    /** Bytes given back as holes so far. */
    long punchedBytes() {
        return punched;
    }

    /**
     * Notes that {@code [offset, offset + length)} holds only zeros and is not written; the
     * part of it that was allocated ahead is punched out again (now, or with the next batch).
     */
    void zeros(long offset, long length) {
        long end = offset + length;
        int i = Collections.binarySearch(allocated, null, (e, ignored) -> e.end() <= offset ? -1 : 1);
        for (int k = -i - 1; k < allocated.size() && allocated.get(k).offset() < end; k++) {
            Extent e = allocated.get(k);
            long from = Math.max(offset, e.offset());
            long to = Math.min(end, e.end());
            if (from < to) {
                if (pendingCount == MAX_PENDING) {
                    punchPending();
                }
                pending[2 * pendingCount] = from;
                pending[2 * pendingCount + 1] = to - from;
                pendingCount++;
            }
        }
    }

    /** Punches what is pending; call when the copy is done, before the final flush. */
    void finish() {
        punchPending();
    }

    private void punchPending() {
        for (int k = 0; k < pendingCount && fd >= 0; k++) {
            long off = pending[2 * k];
            long len = pending[2 * k + 1];
            try {
                LIBC.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
                punched += len;
            } catch (LastErrorException e) {
                // Blocks not given back still read as zeros: the image is right, only larger
                // on disk, which is no reason to fail a conversion. Stop trying.
                close();
            }
        }
        pendingCount = 0;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            try {
                LIBC.close(fd);
            } catch (LastErrorException e) {
                // Nothing was written through this descriptor.
            }
            fd = -1;
        }
    }
}
