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
     * full distribution kernel under 300 MB. The byte limit also keeps every decompressed
     * segment below Java's array limit.
     */
    public static final InitramfsLimits DEFAULT = new InitramfsLimits(200_000, 4096, 1L << 30);

    public InitramfsLimits {
        if (maxEntries < 1 || maxNameBytes < 2 || maxTotalBytes < 1 || maxTotalBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("limits out of range: " + maxEntries + ", " + maxNameBytes + ", " + maxTotalBytes);
        }
    }
}
