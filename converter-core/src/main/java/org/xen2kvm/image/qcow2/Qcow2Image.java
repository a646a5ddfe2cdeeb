package org.xen2kvm.image.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xen2kvm.image.BackingOpener;
import org.xen2kvm.image.ClusterMappedImage;
import org.xen2kvm.image.DiskFormatException;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.image.TableCache;
import org.xen2kvm.image.DiskFormat;

/** A qcow2 image (version 2 or 3) decoded read-only on top of its host file. */
public final class Qcow2Image extends ClusterMappedImage {
    /** L1 entry bits 9-55: L2 table offset ("Cluster mapping", L1 table entry). */
    static final long L1E_OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;
    /** L2 entry bits 9-55: host cluster offset of a standard cluster. */
    static final long L2E_OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;
    /** L2 entry bit 62: the cluster is compressed. */
    static final long L2E_COMPRESSED = Qcow2Format.OFLAG_COMPRESSED;
    /** Standard cluster descriptor bit 0: "all zeros" (version 3; QEMU honours it for every version). */
    static final long L2E_ZERO = 1L;
    /** Compressed sizes count 512-byte sectors. */
    static final int SECTOR = 512;

    private final Qcow2Header header;
    private final long[] l1;
    private final int l2Bits;
    private final TableCache<long[]> l2Cache;
    /** Compressed descriptor split point: x = 62 - (cluster_bits - 8). */
    private final int compressedOffsetBits;

    private Qcow2Image(RawFileDevice file, Qcow2Header header, long[] l1) {
        super(file, header.virtualSize(), header.clusterBits());
        this.header = header;
        this.l1 = l1;
        this.l2Bits = header.clusterBits() - 3;
        this.l2Cache = new TableCache<>(TableCache.entriesFor(clusterSize));
        this.compressedOffsetBits = 62 - (header.clusterBits() - 8);
    }

    /**
     * Decodes {@code file} as qcow2, opening its backing file through {@code backingOpener}.
     * Takes ownership of {@code file} (closed with the image, or on failure).
     *
     * @throws DiskFormatException when the header or L1 table is corrupt or uses an unsupported feature
     */
    public static Qcow2Image open(RawFileDevice file, BackingOpener backingOpener) throws IOException {
        try {
            Qcow2Header header = Qcow2Header.read(file);
            long[] l1 = readL1(file, header);
            Qcow2Image image = new Qcow2Image(file, header, l1);
            if (header.backing() != null) {
                image.backing = backingOpener.open(header.backing());
            }
            return image;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static long[] readL1(RawFileDevice file, Qcow2Header header) throws IOException {
        long[] l1 = new long[header.l1Size()];
        ByteBuffer buf = ByteBuffer.allocate(l1.length * 8);
        if (header.l1TableOffset() < 0 || header.l1TableOffset() > file.size() - buf.capacity()) {
            throw new DiskFormatException(file.path(), Qcow2Format.OFF_L1_TABLE_OFFSET, "qcow2 L1 table of "
                    + buf.capacity() + " bytes at " + header.l1TableOffset() + " lies outside the file ("
                    + file.size() + " bytes); the image is truncated or corrupt");
        }
        file.read(header.l1TableOffset(), buf);
        buf.flip().asLongBuffer().get(l1);
        long clusterMask = (1L << header.clusterBits()) - 1;
        for (int i = 0; i < l1.length; i++) {
            long l2 = l1[i] & L1E_OFFSET_MASK;
            if (l2 != 0 && ((l2 & clusterMask) != 0 || l2 > file.size() - (1L << header.clusterBits()))) {
                throw new DiskFormatException(file.path(), header.l1TableOffset() + 8L * i, "qcow2 L1 entry " + i
                        + " points to an L2 table at " + l2 + " that is not cluster-aligned or lies past the end"
                        + " of the file (" + file.size() + " bytes)");
            }
        }
        return l1;
    }

    @Override
    public DiskFormat format() {
        return DiskFormat.QCOW2;
    }

    @Override
    protected void map(long cluster, Mapping out) throws IOException {
        long l1Index = cluster >>> l2Bits;
        int l2Index = (int) (cluster & ((1L << l2Bits) - 1));
        long l2Offset = l1Index < l1.length ? l1[(int) l1Index] & L1E_OFFSET_MASK : 0;
        if (l2Offset == 0) {
            out.set(Kind.UNALLOCATED, 0, (1L << l2Bits) - l2Index, header.l1TableOffset() + 8 * l1Index);
            return;
        }
        long entry = l2Table(l2Offset)[l2Index];
        long entryOffset = l2Offset + 8L * l2Index;
        if ((entry & L2E_COMPRESSED) != 0) {
            long host = entry & ((1L << compressedOffsetBits) - 1);
            long sectors = (entry >>> compressedOffsetBits) & ((1L << (62 - compressedOffsetBits)) - 1);
            out.set(Kind.COMPRESSED, host, 1, entryOffset);
            // "Number of additional 512-byte sectors used for the compressed data, beyond the sector
            // containing the offset": the data ends at the end of the last of those sectors.
            out.compressedLength = (int) ((sectors + 1) * SECTOR - (host & (SECTOR - 1)));
            return;
        }
        if ((entry & L2E_ZERO) != 0) {
            out.set(Kind.ZERO, 0, 1, entryOffset);
            return;
        }
        long host = entry & L2E_OFFSET_MASK;
        if (host == 0) {
            out.set(Kind.UNALLOCATED, 0, 1, entryOffset);
            return;
        }
        if ((host & (clusterSize - 1)) != 0 || host >= file.size()) {
            throw new DiskFormatException(file.path(), entryOffset, "qcow2 L2 entry for guest offset "
                    + (cluster << clusterBits) + " points to host cluster " + host
                    + " that is not cluster-aligned or lies past the end of the file (" + file.size() + " bytes)");
        }
        out.set(Kind.DATA, host, 1, entryOffset);
    }

    private long[] l2Table(long offset) throws IOException {
        long[] table = l2Cache.get(offset);
        if (table == null) {
            ByteBuffer buf = ByteBuffer.allocate(clusterSize);
            file.read(offset, buf);
            table = new long[clusterSize / 8];
            buf.flip().asLongBuffer().get(table);
            l2Cache.put(offset, table);
        }
        return table;
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("qcow2 version", Integer.toString(header.version()));
        d.put("compat", header.version() == 2 ? "0.10" : "1.1");
        d.put("cluster size", Integer.toString(clusterSize));
        d.put("refcount bits", Integer.toString(header.refcountBits()));
        if (header.snapshots() != 0) {
            d.put("snapshots", Integer.toUnsignedString(header.snapshots()) + " (only the active state is read)");
        }
        if (header.backing() != null) {
            d.put("backing file", header.backing().name());
            if (header.backing().format() != null) {
                d.put("backing file format", header.backing().format().label());
            }
        }
        for (int i = 0; i < header.notes().size(); i++) {
            d.put(i == 0 ? "note" : "note " + (i + 1), header.notes().get(i));
        }
        return d;
    }
}
