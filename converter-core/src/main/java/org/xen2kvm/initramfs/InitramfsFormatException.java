package org.xen2kvm.initramfs;

import java.io.IOException;

/**
 * An initramfs that cannot be read (corrupt, truncated, an unsupported compression, or larger
 * than the limits). The message is one line naming the image, the segment and the byte offset.
 */
public class InitramfsFormatException extends IOException {
    public InitramfsFormatException(String message) {
        super(message);
    }
}
