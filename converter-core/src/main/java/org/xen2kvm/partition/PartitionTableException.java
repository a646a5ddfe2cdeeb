package org.xen2kvm.partition;

import java.io.IOException;

/** A partition table is corrupt; the message names the device and the entry. */
public class PartitionTableException extends IOException {
    public PartitionTableException(String message) {
        super(message);
    }
}
