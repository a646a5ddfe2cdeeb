package org.xen2kvm.libvirt;

import org.xen2kvm.Xen2KvmException;

/**
 * libvirt refused or failed an operation. The message is one line naming the connection
 * URI, the domain, what was attempted, libvirt's own message and what to do.
 */
public class LibvirtRegistrationException extends Xen2KvmException {
    public LibvirtRegistrationException(String message) {
        super(message);
    }

    public LibvirtRegistrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
