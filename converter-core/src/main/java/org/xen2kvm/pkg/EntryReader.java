package org.xen2kvm.pkg;

import java.io.Closeable;
import java.io.IOException;

/**
 * Streams a package's payload one entry at a time, so that memory holds at most one file.
 */
public interface EntryReader extends Closeable {
    /**
     * The largest single file read into memory. A kernel's modules are under 10 MiB and its
     * image under 100 MiB; a larger entry in a kernel package is refused rather than read.
     */
    long MAX_ENTRY_BYTES = 256L << 20;

    /**
     * The next entry, or null after the last.
     *
     * @throws PackageFormatException for a corrupt payload, naming the file and the entry
     */
    PackageEntry next() throws IOException;

    /**
     * The data of the current entry (a {@link EntryType#FILE}), read once; empty for other types.
     *
     * @throws PackageFormatException if the data is cut short or corrupt
     */
    byte[] content() throws IOException;
}
