package org.xen2kvm.disk.write;

/**
 * How to write the output.
 *
 * @param force    replace an existing destination instead of refusing
 * @param compress store qcow2 data clusters deflate-compressed (ignored for raw)
 */
public record CopyOptions(boolean force, boolean compress) {
    public static final CopyOptions DEFAULT = new CopyOptions(false, false);
}
