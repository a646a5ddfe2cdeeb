package org.xen2kvm.disk.write;

/**
 * Facts of the qcow2 format as written here, from QEMU's docs/interop/qcow2.txt. Offsets
 * are byte offsets in the header ("Header" section) unless noted.
 */
final class Qcow2Format {
    private Qcow2Format() {
    }

    /** Header bytes 0-3: "QFI\xfb". */
    static final int MAGIC = 0x514649fb;
    /** Version 3 (qemu-img's compat=1.1). */
    static final int VERSION = 3;
    /** 64 KiB clusters, the qemu default. */
    static final int CLUSTER_BITS = 16;
    static final int CLUSTER_SIZE = 1 << CLUSTER_BITS;
    /** refcount_order 4: 16-bit refcounts ("Host cluster management"). */
    static final int REFCOUNT_ORDER = 4;
    static final int REFCOUNT_BYTES = (1 << REFCOUNT_ORDER) / 8;
    static final int MAX_REFCOUNT = 0xFFFF;
    /** Version 3 header length without the optional compression_type byte. */
    static final int HEADER_LENGTH = 104;

    static final int OFF_MAGIC = 0;
    static final int OFF_VERSION = 4;
    static final int OFF_BACKING_FILE_OFFSET = 8;
    static final int OFF_BACKING_FILE_SIZE = 16;
    static final int OFF_CLUSTER_BITS = 20;
    static final int OFF_SIZE = 24;
    static final int OFF_CRYPT_METHOD = 32;
    static final int OFF_L1_SIZE = 36;
    static final int OFF_L1_TABLE_OFFSET = 40;
    static final int OFF_REFCOUNT_TABLE_OFFSET = 48;
    static final int OFF_REFCOUNT_TABLE_CLUSTERS = 56;
    static final int OFF_NB_SNAPSHOTS = 60;
    static final int OFF_SNAPSHOTS_OFFSET = 64;
    static final int OFF_INCOMPATIBLE_FEATURES = 72;
    static final int OFF_COMPATIBLE_FEATURES = 80;
    static final int OFF_AUTOCLEAR_FEATURES = 88;
    static final int OFF_REFCOUNT_ORDER = 96;
    static final int OFF_HEADER_LENGTH = 100;
    /** "Header extensions": after the header; type 0 ends the list (the zeroed cluster supplies it). */
    static final int OFF_EXTENSIONS = HEADER_LENGTH;

    /** L1/L2 entries are 8 bytes ("Cluster mapping"). */
    static final int TABLE_ENTRY_BYTES = 8;
    static final int L2_ENTRIES = CLUSTER_SIZE / TABLE_ENTRY_BYTES;
    static final int REFCOUNTS_PER_BLOCK = CLUSTER_SIZE / REFCOUNT_BYTES;
    /** L1/L2 entry bit 63: refcount is exactly one. */
    static final long OFLAG_COPIED = 1L << 63;
    /** L2 entry bit 62: the cluster is compressed. */
    static final long OFLAG_COMPRESSED = 1L << 62;
    /** Compressed cluster descriptor: sector counts are in 512-byte units. */
    static final int COMPRESSED_SECTOR_BITS = 9;
    /** Compressed descriptor bit x = 62 - (cluster_bits - 8) starts the additional-sector count. */
    static final int CSIZE_SHIFT = 62 - (CLUSTER_BITS - 8);
    /** qemu caps the L1 table at 32 MiB (QCOW_MAX_L1_SIZE); larger images will not open. */
    static final long MAX_L1_ENTRIES = (32L << 20) / TABLE_ENTRY_BYTES;
    /**
     * qemu inflates compressed clusters with a 4 KiB window (raw deflate, window bits -12),
     * so no back-reference may reach further than this.
     */
    static final int DEFLATE_WINDOW = 4096;
}
