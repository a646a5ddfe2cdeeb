package org.xen2kvm.image.write;

import java.io.IOException;

/**
 * The output file system has no room for the disks: found before the copy (the free space is
 * smaller than the data to write) or during it (a write failed with ENOSPC or EDQUOT). The
 * message names the output, the file system, the space needed and the space that was free.
 */
public final class OutOfSpaceException extends IOException {
    public OutOfSpaceException(String message) {
        super(message);
    }
}
