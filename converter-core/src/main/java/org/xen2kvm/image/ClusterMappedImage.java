package org.xen2kvm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Read side shared by the qcow family: the guest disk is cut into clusters, each of which is
 * mapped (by the format's tables) to a host cluster, a compressed cluster, explicit zeros, or
 * nothing (read through to the backing file). Subclasses only decode their tables in
 * {@link #map}; this class turns mappings into whole-run reads and merged extents.
 */
public abstract class ClusterMappedImage implements FormatImage {
    /** How one guest cluster is stored. */
    protected enum Kind {
        /** Not in this image: the backing file's data, or zeros without one. */
        UNALLOCATED,
        /** Explicitly zero, whatever the backing file holds. */
        ZERO,
        /** A plain host cluster at {@link Mapping#hostOffset}. */
        DATA,
        /** Deflate-compressed bytes at {@link Mapping#hostOffset}, {@link Mapping#compressedLength} long. */
        COMPRESSED
    }

    /** Filled in by {@link #map}; reused to keep the read loop allocation-free. */
    protected static final class Mapping {
        public Kind kind;
        public long hostOffset;
        public int compressedLength;
        /** Clusters from this one on that share this kind because a whole table is absent (at least 1). */
        public long run;
        /** Where in the file the entry was read, for error messages. */
        public long entryOffset;

        public void set(Kind k, long host, long runClusters, long entry) {
            kind = k;
            hostOffset = host;
            run = runClusters;
            entryOffset = entry;
            compressedLength = 0;
        }
    }

    /** How many decompressed clusters to keep: reads of one cluster in small pieces hit the cache. */
    private static final int DECOMPRESSED_CACHE_ENTRIES = 4;

    protected final RawFileDevice file;
    protected final long virtualSize;
    protected final int clusterBits;
    protected final int clusterSize;
    protected FormatImage backing;
    private final TableCache<byte[]> decompressed = new TableCache<>(DECOMPRESSED_CACHE_ENTRIES);
    private final Mapping mapping = new Mapping();
    private final Mapping lookahead = new Mapping();
    private final Inflater inflater = new Inflater(true);
    /** Reused input buffer; a compressed cluster is at most a few clusters long by construction of the entry. */
    private byte[] compressedInput = new byte[0];

    protected ClusterMappedImage(RawFileDevice file, long virtualSize, int clusterBits) {
        this.file = file;
        this.virtualSize = virtualSize;
        this.clusterBits = clusterBits;
        this.clusterSize = 1 << clusterBits;
    }

    /** Decodes the table entry for guest cluster {@code cluster} into {@code out}. */
    protected abstract void map(long cluster, Mapping out) throws IOException;

    @Override
    public long size() {
        return virtualSize;
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public RawFileDevice file() {
        return file;
    }

    @Override
    public FormatImage backing() {
        return backing;
    }

    @Override
    public abstract Map<String, String> details();

    @Override
    public String describe() {
        return format().label() + " " + file.path();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        BlockDevice.checkRange(this, offset, dst.remaining());
        long pos = offset;
        while (dst.hasRemaining()) {
            long cluster = pos >>> clusterBits;
            int inCluster = (int) (pos & (clusterSize - 1));
            map(cluster, mapping);
            long want = dst.remaining();
            long chunk = Math.min(want, clusterSize - inCluster);
            switch (mapping.kind) {
                case DATA -> {
                    // Extend over following clusters stored contiguously in the file: one read.
                    long host = mapping.hostOffset + inCluster;
                    long next = cluster + 1;
                    while (chunk < want) {
                        map(next, lookahead);
                        if (lookahead.kind != Kind.DATA || lookahead.hostOffset != host + chunk) {
                            break;
                        }
                        chunk = Math.min(want, chunk + clusterSize);
                        next++;
                    }
                    readHost(host, dst, (int) chunk);
                }
                case ZERO -> fillZeros(dst, (int) chunk);
                case UNALLOCATED -> {
                    chunk = Math.min(want, runBytes(mapping.run, inCluster));
                    long next = cluster + mapping.run;
                    while (chunk < want) {
                        map(next, lookahead);
                        if (lookahead.kind != Kind.UNALLOCATED) {
                            break;
                        }
                        chunk = Math.min(want, chunk + runBytes(lookahead.run, 0));
                        next += lookahead.run;
                    }
                    readBacking(pos, dst, (int) chunk);
                }
                case COMPRESSED -> {
                    byte[] data = decompressCluster(mapping);
                    dst.put(data, inCluster, (int) chunk);
                }
                default -> throw new IllegalStateException();
            }
            pos += chunk;
        }
    }

    private long runBytes(long runClusters, int inCluster) {
        long clusters = Math.min(runClusters, (Long.MAX_VALUE >>> clusterBits) - 1);
        return (clusters << clusterBits) - inCluster;
    }

    /** Reads from the host file; bytes past its end (a last cluster written short) read as zeros. */
    private void readHost(long host, ByteBuffer dst, int length) throws IOException {
        long available = Math.max(0, Math.min(length, file.size() - host));
        if (available > 0) {
            // A cluster starting inside the file may be read from past its end: no read at all then.
            ByteBuffer part = dst.slice(dst.position(), (int) available);
            file.read(host, part);
            dst.position(dst.position() + (int) available);
        }
        fillZeros(dst, (int) (length - available));
    }

    private void readBacking(long pos, ByteBuffer dst, int length) throws IOException {
        long fromBacking = backing == null ? 0 : Math.max(0, Math.min(length, backing.size() - pos));
        if (fromBacking > 0) {
            ByteBuffer part = dst.slice(dst.position(), (int) fromBacking);
            backing.read(pos, part);
            dst.position(dst.position() + (int) fromBacking);
        }
        fillZeros(dst, (int) (length - fromBacking));
    }

    private static void fillZeros(ByteBuffer dst, int length) {
        Zeros.fill(dst, length);
    }

    private byte[] decompressCluster(Mapping m) throws IOException {
        byte[] cached = decompressed.get(m.hostOffset);
        if (cached != null) {
            return cached;
        }
        if (m.hostOffset >= file.size()) {
            throw new DiskFormatException(file.path(), m.entryOffset, "compressed cluster at host offset "
                    + m.hostOffset + " lies past the end of the file (" + file.size() + " bytes); the image is truncated");
        }
        int length = (int) Math.min(m.compressedLength, file.size() - m.hostOffset);
        if (compressedInput.length < length + 1) {
            compressedInput = new byte[length + 1]; // nowrap inflate wants one spare byte after the stream
        }
        file.read(m.hostOffset, ByteBuffer.wrap(compressedInput, 0, length));
        compressedInput[length] = 0;
        byte[] out = new byte[clusterSize];
        inflater.reset();
        inflater.setInput(compressedInput, 0, length + 1);
        int produced;
        try {
            produced = inflater.inflate(out);
        } catch (DataFormatException e) {
            throw new DiskFormatException(file.path(), m.hostOffset, "compressed cluster (entry at offset "
                    + m.entryOffset + ") is not valid deflate data: " + e.getMessage());
        }
        if (produced != clusterSize) {
            throw new DiskFormatException(file.path(), m.hostOffset, "compressed cluster (entry at offset "
                    + m.entryOffset + ") inflates to " + produced + " bytes, expected " + clusterSize);
        }
        decompressed.put(m.hostOffset, out);
        return out;
    }

    /**
     * Data clusters of this image, plus the backing file's extents where this image has none;
     * zero clusters are holes. Adjacent ranges are merged.
     */
    @Override
    public List<Extent> allocatedExtents() throws IOException {
        List<Extent> below = backing == null ? List.of() : backing.allocatedExtents();
        List<Extent> out = new ArrayList<>();
        long clusters = (virtualSize + clusterSize - 1) >>> clusterBits;
        int belowIndex = 0;
        long cluster = 0;
        while (cluster < clusters) {
            map(cluster, mapping);
            long start = cluster << clusterBits;
            long runClusters = mapping.kind == Kind.UNALLOCATED ? Math.min(mapping.run, clusters - cluster) : 1;
            long end = Math.min(virtualSize, (cluster + runClusters) << clusterBits);
            switch (mapping.kind) {
                case DATA, COMPRESSED -> Extents.append(out, start, end - start);
                case UNALLOCATED -> belowIndex = Extents.appendClipped(out, below, belowIndex, start, end);
                case ZERO -> { }
                default -> throw new IllegalStateException();
            }
            cluster += runClusters;
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            file.close();
        } finally {
            inflater.end();
            if (backing != null) {
                backing.close();
            }
        }
    }
}
