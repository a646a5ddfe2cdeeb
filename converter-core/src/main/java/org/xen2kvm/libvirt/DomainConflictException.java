package org.xen2kvm.libvirt;

/**
 * A domain with the same name or UUID already exists and may not be replaced (no
 * {@code --replace}, or it is running).
 */
public class DomainConflictException extends LibvirtRegistrationException {
    public DomainConflictException(String message) {
        super(message);
    }
}
