package org.xen2kvm.libvirt;

/** No connection to libvirt could be opened; the message names the URI and libvirt's reason. */
public class LibvirtUnreachableException extends LibvirtRegistrationException {
    public LibvirtUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
