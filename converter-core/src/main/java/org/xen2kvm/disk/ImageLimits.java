package org.xen2kvm.disk;

/** Bounds applied to numbers read from image headers, so a hostile image cannot exhaust memory or time. */
public final class ImageLimits {
    /** Largest virtual disk accepted: 64 TiB, well above Xen's VHD (2 TiB) and typical qcow2 guests. */
    public static final long MAX_VIRTUAL_SIZE = 64L << 40;
    /** Longest backing chain followed; XenServer snapshot chains stay far below this. */
    public static final int MAX_CHAIN_DEPTH = 64;
    /** Largest in-memory mapping table (qcow L1, VHD BAT) accepted: 32 MiB, as QEMU allows for qcow2 L1. */
    public static final int MAX_TABLE_BYTES = 32 << 20;
    /** Memory budget for each image's cache of L2 tables or VHD bitmaps. */
    public static final long TABLE_CACHE_BYTES = 32L << 20;
    /** Longest backing-file name accepted (PATH_MAX on Linux). */
    public static final int MAX_BACKING_NAME = 4096;

    private ImageLimits() {
    }
}
