package org.xen2kvm.image;

/** Bounds applied to numbers read from image headers, so a hostile image cannot exhaust memory or time. */
public final class ImageLimits {
    /** Largest virtual disk accepted: 64 TiB, well above Xen's VHD (2 TiB) and typical qcow2 guests. */
    public static final long MAX_VIRTUAL_SIZE = 64L << 40;
    /** Longest backing chain followed; XenServer snapshot chains stay far below this. */
    public static final int MAX_CHAIN_DEPTH = 64;
    /** Largest in-memory mapping table (qcow L1, VHD BAT) accepted: 32 MiB, as QEMU allows for qcow2 L1. */
    public static final int MAX_TABLE_BYTES = 32 << 20;
    /**
     * Memory budget for each image's cache of L2 tables or VHD bitmaps: 4 MiB of qcow2 L2 tables
     * with 64 KiB clusters map 32 GiB, and a chain of {@link #MAX_CHAIN_DEPTH} images stays bounded.
     */
    public static final long TABLE_CACHE_BYTES = 4L << 20;

    private ImageLimits() {
    }
}
