package org.xen2kvm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A writable copy-on-write view of a read-only device: writes land in memory, reads see
 * them over the base. This is how guest edits are made without ever writing the source.
 * Edits are small (config files, bitmaps, a kernel), so memory is capped and exceeding
 * the cap fails clearly instead of exhausting the heap.
 */
public final class CowOverlay implements BlockDevice {
    /** Granule of copy-on-write; matches the ext4 and page size. */
    static final int CHUNK = 4096;
    private static final long DEFAULT_LIMIT = 512L << 20;

    private final BlockDevice base;
    private final TreeMap<Long, byte[]> chunks = new TreeMap<>();
    private final long limitBytes;

    public CowOverlay(BlockDevice base) {
        this(base, DEFAULT_LIMIT);
    }

    public CowOverlay(BlockDevice base, long limitBytes) {
        this.base = base;
        this.limitBytes = limitBytes;
    }

    @Override
    public long size() {
        return base.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        BlockDevice.checkRange(this, offset, dst.remaining());
        long pos = offset;
        while (dst.hasRemaining()) {
            long index = pos / CHUNK;
            int within = (int) (pos % CHUNK);
            int n = (int) Math.min(dst.remaining(), CHUNK - within);
            byte[] c = chunks.get(index);
            if (c != null) {
                dst.put(c, within, n);
            } else {
                // Read straight through for the run of clean chunks that follows.
                long runEnd = pos + n;
                Long next = chunks.ceilingKey(index + 1);
                long limit = next == null ? Long.MAX_VALUE : next * CHUNK;
                long want = Math.min(pos + dst.remaining(), limit);
                if (want > runEnd) {
                    n = (int) (want - pos);
                }
                ByteBuffer slice = dst.slice();
                slice.limit(n);
                base.read(pos, slice);
                dst.position(dst.position() + n);
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        BlockDevice.checkRange(this, offset, src.remaining());
        long pos = offset;
        while (src.hasRemaining()) {
            long index = pos / CHUNK;
            int within = (int) (pos % CHUNK);
            int n = (int) Math.min(src.remaining(), CHUNK - within);
            byte[] c = chunks.get(index);
            if (c == null) {
                if ((long) (chunks.size() + 1) * CHUNK > limitBytes) {
                    throw new IOException(base.describe() + ": copy-on-write overlay exceeds "
                            + (limitBytes >> 20) + " MiB of edits");
                }
                c = new byte[CHUNK];
                long start = index * CHUNK;
                int len = (int) Math.min(CHUNK, size() - start);
                base.read(start, ByteBuffer.wrap(c, 0, len));
                chunks.put(index, c);
            }
            src.get(c, within, n);
            pos += n;
        }
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    /** The ranges written through this overlay, merged and sorted. */
    public List<Extent> dirtyExtents() {
        List<Extent> out = new ArrayList<>();
        long start = -1;
        long end = -1;
        for (Long idx : chunks.keySet()) {
            long s = idx * CHUNK;
            long e = Math.min(s + CHUNK, size());
            if (s == end) {
                end = e;
            } else {
                if (start >= 0) {
                    out.add(new Extent(start, end - start));
                }
                start = s;
                end = e;
            }
        }
        if (start >= 0) {
            out.add(new Extent(start, end - start));
        }
        return out;
    }

    /** Bytes held in memory for edits. */
    public long overlayBytes() {
        return (long) chunks.size() * CHUNK;
    }

    @Override
    public List<Extent> allocatedExtents() throws IOException {
        return Extents.union(base.allocatedExtents(), dirtyExtents());
    }

    /** Copies every edit into {@code target} (an output image of the same size). */
    public void writeDirtyTo(BlockDevice target) throws IOException {
        for (Map.Entry<Long, byte[]> e : chunks.entrySet()) {
            long start = e.getKey() * CHUNK;
            int len = (int) Math.min(CHUNK, size() - start);
            target.write(start, ByteBuffer.wrap(e.getValue(), 0, len));
        }
    }

    @Override
    public String describe() {
        return base.describe() + " (overlay)";
    }

    @Override
    public void close() throws IOException {
        chunks.clear();
    }
}
