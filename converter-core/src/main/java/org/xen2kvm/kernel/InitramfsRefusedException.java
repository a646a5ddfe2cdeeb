package org.xen2kvm.kernel;

import org.xen2kvm.Xen2KvmException;

/**
 * An initramfs that cannot be made bootable on KVM here, with the reason (an image no known tool
 * built, a kernel without virtio_blk, an LVM root without the lvm tool in the image). The image
 * is left as it was.
 */
public class InitramfsRefusedException extends Xen2KvmException {
    public InitramfsRefusedException(String message) {
        super(message);
    }
}
