package org.xen2kvm.initramfs;

/**
 * Bounds on what reading one image may cost, so that a hostile image is refused by name and
 * size instead of exhausting memory.
 *
 * @param maxEntries    cpio entries in all archives together
 * @param maxNameBytes  one entry's name, with its terminating NUL (PATH_MAX is 4096)
 * @param maxTotalBytes the image once every segment is decompressed
 */
public record InitramfsLimits(int maxEntries, int maxNameBytes, long maxTotalBytes) {
    /**
     * A Debian initrd with MODULES=most holds ~4,000 entries and ~100 MB; a dracut image of a
     * full distribution kernel under 300 MB. The byte limit (1 GiB, or a third of the heap
     * when that is less, so a decompression bomb ends in a refusal, not an OutOfMemoryError)
     * also keeps every decompressed segment below Java's array limit.
     */
    public static final InitramfsLimits DEFAULT = new InitramfsLimits(200_000, 4096,
            Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 3));

    /** Real initrds are tens of MiB; a larger file is not treated as one. */
    private static final long MAX_IMAGE_BYTES = 512L << 20;

    /**
     * The largest initrd file worth reading whole: 512 MiB, or an eighth of the heap when that is
     * less. Reading one costs the file, its decompressed archives (three to five times the file)
     * and, when rewritten, the new image: a hostile 400 MiB file in a 300 MiB heap is refused by
     * name and size instead of ending the conversion with an OutOfMemoryError.
     */
    public static int maxImageBytes() {
        return (int) Math.min(MAX_IMAGE_BYTES, Runtime.getRuntime().maxMemory() / 8);
    }

    public InitramfsLimits {
        if (maxEntries < 1 || maxNameBytes < 2 || maxTotalBytes < 1 || maxTotalBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("limits out of range: " + maxEntries + ", " + maxNameBytes + ", " + maxTotalBytes);
        }
    }
}
