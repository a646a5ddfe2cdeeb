package org.xen2kvm.image;

import java.io.IOException;
import java.nio.file.Path;

/** An image file is corrupt or not supported; the message names the file and byte offset. */
public class DiskFormatException extends IOException {
    private final transient Path file;
    private final long offset;

    public DiskFormatException(Path file, long offset, String what) {
        super(file + ": at offset " + offset + ": " + what);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
