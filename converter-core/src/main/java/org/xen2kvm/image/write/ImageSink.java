package org.xen2kvm.image.write;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Receives the non-zero data of a disk in increasing offset order and lays it out in a format. */
interface ImageSink {

    /** Zero detection unit: runs given to {@link #write} start on a multiple of it. */
    int granuleSize();

    /**
     * Stores {@code data} (its remaining bytes) at guest offset {@code offset}. Calls come in
     * increasing offset order and never overlap; every byte not written reads as zero.
     */
    void write(long offset, ByteBuffer data) throws IOException;

    /**
     * Notes that {@code [offset, offset + length)}, inside the source's allocated extents,
     * holds only zeros and will not be written. Calls come in the same order as writes.
     */
    default void zeros(long offset, long length) throws IOException {
    }

    /** Writes any metadata; the caller then flushes and renames. */
    void finish() throws IOException;

    /** Releases threads and buffers; called after {@link #finish} and after a failure. */
    default void close() {
    }

    /** Size of the disk as the written image declares it. */
    long virtualSize();

    /** Bytes written to the file so far, data and metadata. */
    long bytesWritten();
}
