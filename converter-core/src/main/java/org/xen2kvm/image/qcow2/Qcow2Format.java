package org.xen2kvm.image.qcow2;

/**
 * Facts of the qcow2 format shared by the reader ({@link Qcow2Header}, {@link Qcow2Image})
 * and the writer ({@code image.write.Qcow2ImageSink}), from QEMU's docs/interop/qcow2.txt. Offsets
 * are byte offsets in the header ("Header" section) unless noted.
 */
public final class Qcow2Format {
    private Qcow2Format() {
    }

    /** Header bytes 0-3: "QFI\xfb". */
    public static final int MAGIC = 0x514649fb;
    /** Version 3 (qemu-img's compat=1.1). */
    public static final int VERSION = 3;
    /** 64 KiB clusters, the qemu default. */
    public static final int CLUSTER_BITS = 16;
    public static final int CLUSTER_SIZE = 1 << CLUSTER_BITS;
    /** refcount_order 4: 16-bit refcounts ("Host cluster management"). */
    public static final int REFCOUNT_ORDER = 4;
    public static final int REFCOUNT_BYTES = (1 << REFCOUNT_ORDER) / 8;
    public static final int MAX_REFCOUNT = 0xFFFF;
    /** Version 3 header length without the optional compression_type byte. */
    public static final int HEADER_LENGTH = 104;

    public static final int OFF_MAGIC = 0;
    public static final int OFF_VERSION = 4;
    public static final int OFF_BACKING_FILE_OFFSET = 8;
    public static final int OFF_BACKING_FILE_SIZE = 16;
    public static final int OFF_CLUSTER_BITS = 20;
    public static final int OFF_SIZE = 24;
    public static final int OFF_CRYPT_METHOD = 32;
    public static final int OFF_L1_SIZE = 36;
    public static final int OFF_L1_TABLE_OFFSET = 40;
    public static final int OFF_REFCOUNT_TABLE_OFFSET = 48;
    public static final int OFF_REFCOUNT_TABLE_CLUSTERS = 56;
    public static final int OFF_NB_SNAPSHOTS = 60;
    public static final int OFF_SNAPSHOTS_OFFSET = 64;
    public static final int OFF_INCOMPATIBLE_FEATURES = 72;
    public static final int OFF_COMPATIBLE_FEATURES = 80;
    public static final int OFF_AUTOCLEAR_FEATURES = 88;
    public static final int OFF_REFCOUNT_ORDER = 96;
    public static final int OFF_HEADER_LENGTH = 100;
    /** "Header extensions": after the header; type 0 ends the list (the zeroed cluster supplies it). */
    public static final int OFF_EXTENSIONS = HEADER_LENGTH;

    /** L1/L2 entries are 8 bytes ("Cluster mapping"). */
    public static final int TABLE_ENTRY_BYTES = 8;
    public static final int L2_ENTRIES = CLUSTER_SIZE / TABLE_ENTRY_BYTES;
    public static final int REFCOUNTS_PER_BLOCK = CLUSTER_SIZE / REFCOUNT_BYTES;
    /** L1/L2 entry bit 63: refcount is exactly one. */
    public static final long OFLAG_COPIED = 1L << 63;
    /** L2 entry bit 62: the cluster is compressed. */
    public static final long OFLAG_COMPRESSED = 1L << 62;
    /** Compressed cluster descriptor: sector counts are in 512-byte units. */
    public static final int COMPRESSED_SECTOR_BITS = 9;
    /** Compressed descriptor bit x = 62 - (cluster_bits - 8) starts the additional-sector count. */
    public static final int CSIZE_SHIFT = 62 - (CLUSTER_BITS - 8);
    /** qemu caps the L1 table at 32 MiB (QCOW_MAX_L1_SIZE); larger images will not open. */
    public static final long MAX_L1_ENTRIES = (32L << 20) / TABLE_ENTRY_BYTES;
    /**
     * qemu inflates compressed clusters with a 4 KiB window (raw deflate, window bits -12),
     * so no back-reference may reach further than this.
     */
    public static final int DEFLATE_WINDOW = 4096;
}
