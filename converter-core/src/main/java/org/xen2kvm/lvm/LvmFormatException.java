package org.xen2kvm.lvm;

import java.io.IOException;

/**
 * LVM2 data on a device is corrupt or outside what this reader accepts. The message names the
 * device, the byte offset (or metadata line) and the field.
 */
public class LvmFormatException extends IOException {
    public LvmFormatException(String device, long offset, String what) {
        super(device + ": LVM2 at offset " + offset + ": " + what);
    }

    public LvmFormatException(String message) {
        super(message);
    }
}
