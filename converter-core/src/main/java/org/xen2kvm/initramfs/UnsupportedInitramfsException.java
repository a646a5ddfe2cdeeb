package org.xen2kvm.initramfs;

/**
 * An initrd in a format this reader does not handle (lzo, or bytes that are neither a cpio
 * header nor a known compression), as opposed to a corrupt one: callers that only look inside
 * to double-check the guest's configuration may fall back on the configuration quietly.
 */
public final class UnsupportedInitramfsException extends InitramfsFormatException {
    public UnsupportedInitramfsException(String message) {
        super(message);
    }
}
