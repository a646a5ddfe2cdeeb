package org.xen2kvm.image.write;

import static org.xen2kvm.image.qcow2.Qcow2Format.CLUSTER_BITS;
import static org.xen2kvm.image.qcow2.Qcow2Format.CLUSTER_SIZE;
import static org.xen2kvm.image.qcow2.Qcow2Format.L2_ENTRIES;
import static org.xen2kvm.image.qcow2.Qcow2Format.REFCOUNTS_PER_BLOCK;
import static org.xen2kvm.image.qcow2.Qcow2Format.TABLE_ENTRY_BYTES;

import org.xen2kvm.image.qcow2.Qcow2Format;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Writes a qcow2 v3 image in one forward pass. The file is an append stream: cluster 0 is
 * reserved for the header, then data clusters follow in guest order, each L2 table is
 * appended as soon as the guest offset moves past its range, each refcount block as soon as
 * the append position moves past the 2 GiB of host clusters it covers, and the L1 table,
 * refcount table and last refcount blocks close the file. Held in memory: one L2 table, one
 * or two refcount blocks, and 16 bytes per written L2 table / 8 per refcount block.
 */
final class Qcow2ImageSink implements ImageSink {
    /** qemu's block layer unit (BDRV_SECTOR_SIZE). */
    static final int SECTOR_SIZE = 512;

    private final OutputWriter writer;
    private final long virtualSize;
    private final long l1Size;
    private final ParallelCompressor compressor;
    private final RefcountTracker refcounts = new RefcountTracker();
    private final ByteBuffer l2Table = ByteBuffer.allocate(CLUSTER_SIZE);
    private final ByteBuffer padded = IoBuffer.pageAligned(CLUSTER_SIZE);
    private final ByteBuffer scratch = ByteBuffer.allocate(CLUSTER_SIZE);

    /** Next free byte of the file; cluster-aligned except right after compressed data. */
    private long appendPos;
    private long bytesWritten;
    /** Index of the L2 table being filled, -1 for none. */
    private long currentL2 = -1;
    /** Written L2 tables as (L1 index, host offset) pairs, in L1 order. */
    private long[] l1Entries = new long[16];
    private int l1Count;
    /** Host offsets of written refcount blocks, by block index. */
    private long[] refcountBlocks = new long[4];
    private long nextRefcountBlock;

    Qcow2ImageSink(OutputWriter writer, long virtualSize, boolean compress) throws IOException {
        this.writer = writer;
        // qemu sees every image as whole 512-byte sectors and reads a qcow2 size rounded
        // down, so round up as qemu-img convert does; the added bytes read as zeros.
        this.virtualSize = ceilDiv(virtualSize, SECTOR_SIZE) * SECTOR_SIZE;
        long clusters = ceilDiv(virtualSize, CLUSTER_SIZE);
        this.l1Size = ceilDiv(clusters, L2_ENTRIES);
        if (l1Size > Qcow2Format.MAX_L1_ENTRIES) {
            throw new IOException("virtual size " + virtualSize + " is too large for a qcow2 image with "
                    + CLUSTER_SIZE + "-byte clusters (qemu limits the L1 table to "
                    + Qcow2Format.MAX_L1_ENTRIES + " entries); write raw instead");
        }
        // Compressed data must save at least one sector, or it is stored plainly.
        this.compressor = compress ? new ParallelCompressor(CLUSTER_SIZE - 512) : null;
        allocateClusters(1); // cluster 0: the header, written last
    }

    @Override
    public int granuleSize() {
        return CLUSTER_SIZE;
    }

    @Override
    public void write(long offset, ByteBuffer data) throws IOException {
        if (offset % CLUSTER_SIZE != 0) {
            throw new IllegalArgumentException("unaligned qcow2 write at " + offset);
        }
        long guestCluster = offset >>> CLUSTER_BITS;
        // A batch of data clusters that landed back to back in the file, written at once.
        long batchHost = -1;
        int batchStart = data.position();
        int batchLen = 0;
        int pos = data.position();
        while (pos < data.limit()) {
            int len = Math.min(CLUSTER_SIZE, data.limit() - pos);
            ByteBuffer cluster = data.slice(pos, len);
            if (len < CLUSTER_SIZE) {
                padded.clear();
                padded.put(cluster);
                while (padded.hasRemaining()) {
                    padded.put((byte) 0);
                }
                padded.flip();
                cluster = padded;
            }
            if (compressor != null) {
                compressor.submit(guestCluster, cluster.duplicate());
                while (compressor.full()) {
                    place(compressor.take());
                }
                pos += len;
                guestCluster++;
                continue;
            }
            selectL2(guestCluster);
            long host = allocateClusters(1);
            if (cluster == padded) {
                writeAt(padded, host);
            } else if (batchHost >= 0 && batchHost + batchLen == host) {
                batchLen += CLUSTER_SIZE;
            } else {
                flushBatch(data, batchStart, batchLen, batchHost);
                batchHost = host;
                batchStart = pos;
                batchLen = CLUSTER_SIZE;
            }
            l2Table.putLong((int) (guestCluster % L2_ENTRIES) * TABLE_ENTRY_BYTES, host | Qcow2Format.OFLAG_COPIED);
            emitCompletedRefcountBlocks();
            pos += len;
            guestCluster++;
        }
        flushBatch(data, batchStart, batchLen, batchHost);
    }

    private void flushBatch(ByteBuffer data, int start, int len, long host) throws IOException {
        if (len > 0) {
            writeAt(data.slice(start, len), host);
        }
    }

    /** Stores a compressed (or, when that did not pay, plain) cluster in guest order. */
    private void place(ParallelCompressor.Result r) throws IOException {
        selectL2(r.guestCluster());
        long entry;
        if (r.length() < 0) {
            long host = allocateClusters(1);
            writeAt(ByteBuffer.wrap(r.input(), 0, CLUSTER_SIZE), host);
            entry = host | Qcow2Format.OFLAG_COPIED;
        } else {
            entry = writeCompressed(r.output(), r.length());
        }
        compressor.release(r);
        l2Table.putLong((int) (r.guestCluster() % L2_ENTRIES) * TABLE_ENTRY_BYTES, entry);
        emitCompletedRefcountBlocks();
    }

    /** Appends compressed data at the byte-granular append position and returns its L2 entry. */
    private long writeCompressed(byte[] data, int n) throws IOException {
        long start = appendPos;
        long end = start + n;
        for (long c = start >>> CLUSTER_BITS; c <= (end - 1) >>> CLUSTER_BITS; c++) {
            // Every compressed cluster holds a reference on each host cluster it touches.
            refcounts.increment(c);
        }
        appendPos = end;
        writeAt(ByteBuffer.wrap(data, 0, n), start);
        long sectorBits = Qcow2Format.COMPRESSED_SECTOR_BITS;
        long extraSectors = ((end - 1) >>> sectorBits) - (start >>> sectorBits);
        return Qcow2Format.OFLAG_COMPRESSED | (extraSectors << Qcow2Format.CSIZE_SHIFT) | start;
    }

    /** Makes the L2 table covering {@code guestCluster} current, writing out the previous one. */
    private void selectL2(long guestCluster) throws IOException {
        long index = guestCluster / L2_ENTRIES;
        if (index != currentL2) {
            flushL2();
            currentL2 = index;
            Arrays.fill(l2Table.array(), (byte) 0);
        }
    }

    private void flushL2() throws IOException {
        if (currentL2 < 0) {
            return;
        }
        long host = allocateClusters(1);
        writeAt(ByteBuffer.wrap(l2Table.array()), host);
        if (l1Count * 2 == l1Entries.length) {
            l1Entries = Arrays.copyOf(l1Entries, l1Entries.length * 2);
        }
        l1Entries[l1Count * 2] = currentL2;
        l1Entries[l1Count * 2 + 1] = host | Qcow2Format.OFLAG_COPIED;
        l1Count++;
        currentL2 = -1;
        emitCompletedRefcountBlocks();
    }

    /** Reserves {@code n} contiguous clusters at the (aligned) append position. */
    private long allocateClusters(int n) {
        long host = ceilDiv(appendPos, CLUSTER_SIZE) * CLUSTER_SIZE;
        for (int i = 0; i < n; i++) {
            refcounts.increment((host >>> CLUSTER_BITS) + i);
        }
        appendPos = host + (long) n * CLUSTER_SIZE;
        return host;
    }

    /** Writes every refcount block whose clusters can no longer change. */
    private void emitCompletedRefcountBlocks() throws IOException {
        while (true) {
            long block = refcounts.firstLiveBlock();
            long blockEnd = (block + 1) * REFCOUNTS_PER_BLOCK * (long) CLUSTER_SIZE;
            if (block < 0 || appendPos < blockEnd) {
                return;
            }
            char[] counts = refcounts.take(block);
            long host = allocateClusters(1);
            writeRefcountBlock(counts, host);
            recordRefcountBlock(block, host);
        }
    }

    private void recordRefcountBlock(long block, long host) {
        if (block != nextRefcountBlock) {
            throw new IllegalStateException("refcount block " + block + " written out of order");
        }
        if (block >= refcountBlocks.length) {
            refcountBlocks = Arrays.copyOf(refcountBlocks, refcountBlocks.length * 2);
        }
        refcountBlocks[(int) block] = host;
        nextRefcountBlock++;
    }

    private void writeRefcountBlock(char[] counts, long host) throws IOException {
        scratch.clear();
        scratch.asCharBuffer().put(counts);
        writeAt(scratch, host);
    }

    @Override
    public void finish() throws IOException {
        if (compressor != null) {
            while (!compressor.isEmpty()) {
                place(compressor.take());
            }
            compressor.close();
        }
        flushL2();
        long l1Clusters = ceilDiv(l1Size * TABLE_ENTRY_BYTES, CLUSTER_SIZE);
        // An empty disk has no L1 table at all (offset 0, as qemu-img create writes it):
        // a table cluster nothing references would be a leak to qemu-img check.
        long l1Offset = 0;
        if (l1Clusters > 0) {
            l1Offset = allocateClusters(Math.toIntExact(l1Clusters));
            writeL1(l1Offset);
            emitCompletedRefcountBlocks();
        }
        writeRefcountStructures(l1Offset);
    }

    private void writeL1(long l1Offset) throws IOException {
        long next = 0; // index of the next pair in l1Entries
        for (long first = 0; first < l1Size; first += L2_ENTRIES) {
            Arrays.fill(scratch.array(), (byte) 0);
            long end = Math.min(l1Size, first + L2_ENTRIES);
            while (next < l1Count && l1Entries[(int) next * 2] < end) {
                int slot = (int) (l1Entries[(int) next * 2] - first);
                scratch.putLong(slot * TABLE_ENTRY_BYTES, l1Entries[(int) next * 2 + 1]);
                next++;
            }
            scratch.clear();
            writeAt(scratch, l1Offset + first * TABLE_ENTRY_BYTES);
        }
    }

    /**
     * Lays out the refcount table and the remaining refcount blocks at the end. They count
     * themselves, so their number is found by iterating to a fixed point.
     */
    private void writeRefcountStructures(long l1Offset) throws IOException {
        long start = ceilDiv(appendPos, CLUSTER_SIZE);
        long firstNew = nextRefcountBlock;
        long tableClusters = 1;
        long newBlocks = 0;
        while (true) {
            long totalBlocks = ceilDiv(start + tableClusters + newBlocks, REFCOUNTS_PER_BLOCK);
            long b = totalBlocks - firstNew;
            long t = Math.max(1, ceilDiv(totalBlocks * TABLE_ENTRY_BYTES, CLUSTER_SIZE));
            if (b == newBlocks && t == tableClusters) {
                break;
            }
            newBlocks = b;
            tableClusters = t;
        }
        long tableOffset = allocateClusters(Math.toIntExact(tableClusters));
        long blocksOffset = allocateClusters(Math.toIntExact(newBlocks));
        for (long i = 0; i < newBlocks; i++) {
            long host = blocksOffset + i * CLUSTER_SIZE;
            writeRefcountBlock(refcounts.take(firstNew + i), host);
            recordRefcountBlock(firstNew + i, host);
        }
        if (refcounts.lastLiveBlock() >= 0) {
            throw new IllegalStateException("refcount block " + refcounts.lastLiveBlock() + " left unwritten");
        }
        for (long first = 0; first < nextRefcountBlock; first += L2_ENTRIES) {
            Arrays.fill(scratch.array(), (byte) 0);
            long end = Math.min(nextRefcountBlock, first + L2_ENTRIES);
            for (long i = first; i < end; i++) {
                scratch.putLong((int) (i - first) * TABLE_ENTRY_BYTES, refcountBlocks[(int) i]);
            }
            scratch.clear();
            writeAt(scratch, tableOffset + first * TABLE_ENTRY_BYTES);
        }
        writeHeader(l1Offset, tableOffset, tableClusters);
    }

    private void writeHeader(long l1Offset, long refcountTableOffset, long refcountTableClusters) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(CLUSTER_SIZE);
        h.putInt(Qcow2Format.OFF_MAGIC, Qcow2Format.MAGIC);
        h.putInt(Qcow2Format.OFF_VERSION, Qcow2Format.VERSION);
        h.putLong(Qcow2Format.OFF_BACKING_FILE_OFFSET, 0);
        h.putInt(Qcow2Format.OFF_BACKING_FILE_SIZE, 0);
        h.putInt(Qcow2Format.OFF_CLUSTER_BITS, CLUSTER_BITS);
        h.putLong(Qcow2Format.OFF_SIZE, virtualSize);
        h.putInt(Qcow2Format.OFF_CRYPT_METHOD, 0);
        h.putInt(Qcow2Format.OFF_L1_SIZE, Math.toIntExact(l1Size));
        h.putLong(Qcow2Format.OFF_L1_TABLE_OFFSET, l1Offset);
        h.putLong(Qcow2Format.OFF_REFCOUNT_TABLE_OFFSET, refcountTableOffset);
        h.putInt(Qcow2Format.OFF_REFCOUNT_TABLE_CLUSTERS, Math.toIntExact(refcountTableClusters));
        h.putInt(Qcow2Format.OFF_NB_SNAPSHOTS, 0);
        h.putLong(Qcow2Format.OFF_SNAPSHOTS_OFFSET, 0);
        h.putLong(Qcow2Format.OFF_INCOMPATIBLE_FEATURES, 0);
        h.putLong(Qcow2Format.OFF_COMPATIBLE_FEATURES, 0);
        h.putLong(Qcow2Format.OFF_AUTOCLEAR_FEATURES, 0);
        h.putInt(Qcow2Format.OFF_REFCOUNT_ORDER, Qcow2Format.REFCOUNT_ORDER);
        h.putInt(Qcow2Format.OFF_HEADER_LENGTH, Qcow2Format.HEADER_LENGTH);
        // Bytes from OFF_EXTENSIONS on stay zero: extension type 0 is the end-of-list marker.
        writeAt(h, 0);
    }

    private void writeAt(ByteBuffer buf, long position) throws IOException {
        bytesWritten += buf.remaining();
        writer.write(buf, position);
    }

    @Override
    public void close() {
        if (compressor != null) {
            compressor.close();
        }
    }

    @Override
    public long virtualSize() {
        return virtualSize;
    }

    @Override
    public long bytesWritten() {
        return bytesWritten;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
