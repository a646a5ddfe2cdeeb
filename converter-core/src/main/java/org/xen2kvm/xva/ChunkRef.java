package org.xen2kvm.xva;

/** Where one chunk's data lies in an uncompressed archive, and its checksum. */
final class ChunkRef {
    final ChunkName name;
    final long dataOffset;
    final int length;
    ChunkChecksum checksum;
    boolean verified;

    ChunkRef(ChunkName name, long dataOffset, int length) {
        this.name = name;
        this.dataOffset = dataOffset;
        this.length = length;
    }
}
