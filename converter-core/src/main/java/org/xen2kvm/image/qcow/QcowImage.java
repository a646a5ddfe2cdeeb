package org.xen2kvm.image.qcow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xen2kvm.image.BackingOpener;
import org.xen2kvm.image.BackingReference;
import org.xen2kvm.image.ClusterMappedImage;
import org.xen2kvm.image.DiskFormatException;
import org.xen2kvm.image.ImageLimits;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.image.TableCache;
import org.xen2kvm.image.DiskFormat;

/** A qcow version 1 image decoded read-only (header layout of QEMU block/qcow.c, QCowHeader). */
public final class QcowImage extends ClusterMappedImage {
    // QCowHeader fields, big-endian.
    static final int MAGIC = 0x514649fb; // "QFI\xfb"
    static final int VERSION = 1;
    static final int OFF_VERSION = 4;
    static final int OFF_BACKING_FILE_OFFSET = 8;
    static final int OFF_BACKING_FILE_SIZE = 16;
    static final int OFF_SIZE = 24;
    static final int OFF_CLUSTER_BITS = 32;
    static final int OFF_L2_BITS = 33;
    static final int OFF_CRYPT_METHOD = 36;
    static final int OFF_L1_TABLE_OFFSET = 40;
    static final int HEADER_SIZE = 48;
    /** QEMU accepts cluster_bits 9..16 and l2_bits 6..13 (tables of 64 to 8192 entries). */
    static final int MIN_CLUSTER_BITS = 9;
    static final int MAX_CLUSTER_BITS = 16;
    static final int MIN_L2_BITS = 6;
    static final int MAX_L2_BITS = 13;
    static final int MAX_BACKING_FILE_SIZE = 1023;
    /**
     * Xen blktap's extended header right after QCowHeader (tools/blktap block-qcow.c,
     * QCowHeader_ext): xmagic "XEN\xfb", L1 checksum, min_cluster_alloc, flags.
     */
    static final int XEN_EXT_OFFSET = HEADER_SIZE;
    static final int XEN_EXT_SIZE = 16;
    static final int XEN_MAGIC = 0x58454efb;
    static final int XEN_EXT_OFF_FLAGS = 12;
    /** flags bit: the L1 table is big-endian. Old tapdisk images without it stored L1 in host (x86) order. */
    static final int XEN_FLAG_L1_BIG_ENDIAN = 0x02;
    /** blktap only looks for its extended header when the L1 table starts on a 4 KiB boundary. */
    static final int XEN_L1_ALIGNMENT = 4096;

    /** L2 entry bit 63: compressed cluster; the size sits above the offset bits. */
    static final long OFLAG_COMPRESSED = 1L << 63;

    private final long[] l1;
    private final long l1Offset;
    private final int l2Bits;
    private final String backingName;
    private final XenExtension xen;
    private final TableCache<long[]> l2Cache;

    /** What Xen blktap's extended header says, or null when there is none. */
    private record XenExtension(boolean l1LittleEndian) {
    }

    private QcowImage(RawFileDevice file, long size, int clusterBits, int l2Bits, long[] l1, long l1Offset,
            String backingName, XenExtension xen) {
        super(file, size, clusterBits);
        this.l1 = l1;
        this.l1Offset = l1Offset;
        this.l2Bits = l2Bits;
        this.backingName = backingName;
        this.xen = xen;
        this.l2Cache = new TableCache<>(TableCache.entriesFor(8L << l2Bits));
    }

    /**
     * Decodes {@code file} as qcow v1; takes ownership of {@code file}.
     *
     * @throws DiskFormatException when the header or L1 table is corrupt, or the image is encrypted
     */
    public static QcowImage open(RawFileDevice file, BackingOpener backingOpener) throws IOException {
        try {
            Path path = file.path();
            long fileSize = file.size();
            if (fileSize < HEADER_SIZE) {
                throw new DiskFormatException(path, fileSize, "qcow header truncated: the file has " + fileSize
                        + " bytes, the header needs " + HEADER_SIZE);
            }
            ByteBuffer h = ByteBuffer.wrap(file.readBytes(0, HEADER_SIZE));
            if (h.getInt(0) != MAGIC) {
                throw new DiskFormatException(path, 0, "not a qcow image: magic 0x"
                        + Integer.toHexString(h.getInt(0)) + " is not QFI\\xfb");
            }
            if (h.getInt(OFF_VERSION) != VERSION) {
                throw new DiskFormatException(path, OFF_VERSION, "qcow version "
                        + Integer.toUnsignedString(h.getInt(OFF_VERSION)) + " is not 1");
            }
            int clusterBits = h.get(OFF_CLUSTER_BITS) & 0xff;
            if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
                throw new DiskFormatException(path, OFF_CLUSTER_BITS, "qcow cluster_bits " + clusterBits
                        + " is outside " + MIN_CLUSTER_BITS + ".." + MAX_CLUSTER_BITS);
            }
            int l2Bits = h.get(OFF_L2_BITS) & 0xff;
            if (l2Bits < MIN_L2_BITS || l2Bits > MAX_L2_BITS) {
                throw new DiskFormatException(path, OFF_L2_BITS, "qcow l2_bits " + l2Bits + " is outside "
                        + MIN_L2_BITS + ".." + MAX_L2_BITS);
            }
            int crypt = h.getInt(OFF_CRYPT_METHOD);
            if (crypt != 0) {
                throw new DiskFormatException(path, OFF_CRYPT_METHOD, "qcow image is encrypted (crypt_method "
                        + Integer.toUnsignedString(crypt) + "); decrypt it with qemu-img convert first");
            }
            long size = h.getLong(OFF_SIZE);
            if (size < 0 || size > ImageLimits.MAX_VIRTUAL_SIZE) {
                throw new DiskFormatException(path, OFF_SIZE, "qcow virtual size " + Long.toUnsignedString(size)
                        + " bytes exceeds the supported " + ImageLimits.MAX_VIRTUAL_SIZE + " bytes (64 TiB)");
            }
            long perL1 = 1L << (clusterBits + l2Bits);
            long l1Size = (size + perL1 - 1) / perL1;
            if (l1Size * 8 > ImageLimits.MAX_TABLE_BYTES) {
                throw new DiskFormatException(path, OFF_SIZE, "qcow L1 table of " + l1Size
                        + " entries exceeds the supported " + ImageLimits.MAX_TABLE_BYTES / 8);
            }
            long l1Offset = h.getLong(OFF_L1_TABLE_OFFSET);
            if (l1Size > 0 && (l1Offset < HEADER_SIZE || l1Offset > fileSize - l1Size * 8)) {
                throw new DiskFormatException(path, OFF_L1_TABLE_OFFSET, "qcow l1_table_offset "
                        + Long.toUnsignedString(l1Offset) + " with " + l1Size + " entries lies past the end of the"
                        + " file (" + fileSize + " bytes)");
            }
            XenExtension xen = readXenExtension(file, l1Offset);
            long[] l1 = new long[(int) l1Size];
            // An empty disk has no L1 table, and its l1_table_offset is not checked above.
            if (l1.length > 0) {
                ByteBuffer buf = ByteBuffer.allocate(l1.length * 8);
                file.read(l1Offset, buf);
                if (xen != null && xen.l1LittleEndian()) {
                    buf.order(java.nio.ByteOrder.LITTLE_ENDIAN);
                }
                buf.flip().asLongBuffer().get(l1);
            }
            long l2Bytes = 8L << l2Bits;
            for (int i = 0; i < l1.length; i++) {
                if (l1[i] != 0 && (l1[i] < HEADER_SIZE || l1[i] > fileSize - l2Bytes)) {
                    throw new DiskFormatException(path, l1Offset + 8L * i, "qcow L1 entry " + i
                            + " points to an L2 table at " + Long.toUnsignedString(l1[i])
                            + " past the end of the file (" + fileSize + " bytes)");
                }
            }
            String backingName = readBackingName(file, h);
            QcowImage image = new QcowImage(file, size, clusterBits, l2Bits, l1, l1Offset, backingName, xen);
            if (backingName != null) {
                // qcow v1 has no backing-format field: the parent is always probed.
                image.backing = backingOpener.open(new BackingReference(backingName, null,
                        h.getLong(OFF_BACKING_FILE_OFFSET)));
            }
            return image;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static XenExtension readXenExtension(RawFileDevice file, long l1Offset) throws IOException {
        if (l1Offset % XEN_L1_ALIGNMENT != 0 || file.size() < XEN_EXT_OFFSET + XEN_EXT_SIZE) {
            return null;
        }
        ByteBuffer ext = ByteBuffer.wrap(file.readBytes(XEN_EXT_OFFSET, XEN_EXT_SIZE));
        if (ext.getInt(0) != XEN_MAGIC) {
            return null;
        }
        return new XenExtension((ext.getInt(XEN_EXT_OFF_FLAGS) & XEN_FLAG_L1_BIG_ENDIAN) == 0);
    }

    private static String readBackingName(RawFileDevice file, ByteBuffer h) throws IOException {
        long offset = h.getLong(OFF_BACKING_FILE_OFFSET);
        int length = h.getInt(OFF_BACKING_FILE_SIZE);
        if (offset == 0) {
            return null;
        }
        if (length <= 0 || length > MAX_BACKING_FILE_SIZE) {
            throw new DiskFormatException(file.path(), OFF_BACKING_FILE_SIZE, "qcow backing_file_size "
                    + Integer.toUnsignedString(length) + " is outside 1.." + MAX_BACKING_FILE_SIZE);
        }
        if (offset < HEADER_SIZE || offset > file.size() - length) {
            throw new DiskFormatException(file.path(), OFF_BACKING_FILE_OFFSET, "qcow backing file name at "
                    + Long.toUnsignedString(offset) + " (" + length + " bytes) lies past the end of the file ("
                    + file.size() + " bytes)");
        }
        String name = new String(file.readBytes(offset, length), StandardCharsets.UTF_8);
        if (name.indexOf('\0') >= 0) {
            throw new DiskFormatException(file.path(), offset, "qcow backing file name contains a NUL byte");
        }
        return name;
    }

    @Override
    public DiskFormat format() {
        return DiskFormat.QCOW;
    }

    @Override
    protected void map(long cluster, Mapping out) throws IOException {
        long l1Index = cluster >>> l2Bits;
        int l2Index = (int) (cluster & ((1L << l2Bits) - 1));
        long l2Offset = l1Index < l1.length ? l1[(int) l1Index] : 0;
        if (l2Offset == 0) {
            out.set(Kind.UNALLOCATED, 0, (1L << l2Bits) - l2Index, l1Offset + 8 * l1Index);
            return;
        }
        long entry = l2Table(l2Offset)[l2Index];
        long entryOffset = l2Offset + 8L * l2Index;
        if (entry == 0) {
            out.set(Kind.UNALLOCATED, 0, 1, entryOffset);
        } else if ((entry & OFLAG_COMPRESSED) != 0) {
            int sizeShift = 63 - clusterBits;
            long host = entry & ((1L << sizeShift) - 1);
            out.set(Kind.COMPRESSED, host, 1, entryOffset);
            out.compressedLength = (int) ((entry >>> sizeShift) & (clusterSize - 1));
        } else {
            if (entry >= file.size()) {
                throw new DiskFormatException(file.path(), entryOffset, "qcow L2 entry for guest offset "
                        + (cluster << clusterBits) + " points to host offset " + entry
                        + " past the end of the file (" + file.size() + " bytes)");
            }
            out.set(Kind.DATA, entry, 1, entryOffset);
        }
    }

    private long[] l2Table(long offset) throws IOException {
        long[] table = l2Cache.get(offset);
        if (table == null) {
            ByteBuffer buf = ByteBuffer.allocate(8 << l2Bits);
            file.read(offset, buf);
            table = new long[1 << l2Bits];
            buf.flip().asLongBuffer().get(table);
            l2Cache.put(offset, table);
        }
        return table;
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("qcow version", "1");
        d.put("cluster size", Integer.toString(clusterSize));
        d.put("l2 entries", Integer.toString(1 << l2Bits));
        if (backingName != null) {
            d.put("backing file", backingName);
        }
        if (xen != null) {
            d.put("xen blktap header", xen.l1LittleEndian() ? "yes, L1 table in little-endian order (old tapdisk)"
                    : "yes");
        }
        return d;
    }
}
