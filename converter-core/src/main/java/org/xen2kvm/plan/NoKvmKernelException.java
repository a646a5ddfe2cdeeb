package org.xen2kvm.plan;

import org.xen2kvm.Xen2KvmException;

/**
 * The guest has no kernel that can boot on KVM and the user supplied none: the conversion
 * would produce a guest that cannot start. The message names each kernel and why.
 */
public final class NoKvmKernelException extends Xen2KvmException {
    public NoKvmKernelException(String message) {
        super(message);
    }
}
