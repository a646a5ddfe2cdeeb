package org.xen2kvm.image.write;

/**
 * How to write the output.
 *
 * @param force    replace an existing destination instead of refusing
 * @param compress     store qcow2 data clusters deflate-compressed (ignored for raw)
 * @param directWrites write aligned data around the page cache (O_DIRECT) where the file
 *                     system allows it; see {@link OutputWriter}
 */
public record CopyOptions(boolean force, boolean compress, boolean directWrites) {
    public static final CopyOptions DEFAULT = new CopyOptions(false, false);

    /** Options with direct writes on, the default for a copy. */
    public CopyOptions(boolean force, boolean compress) {
        this(force, compress, true);
    }
}
