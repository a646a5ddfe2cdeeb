package org.xen2kvm.image;

/** A byte range {@code [offset, offset + length)} of a block device. */
public record Extent(long offset, long length) {
    public Extent {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative extent " + offset + "+" + length);
        }
    }

    public long end() {
        return offset + length;
    }
}
