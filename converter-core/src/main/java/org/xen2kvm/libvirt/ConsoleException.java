package org.xen2kvm.libvirt;

/**
 * The serial console could not be opened, or the awaited text did not appear in time, or
 * the console closed first. The message ends with the last console lines.
 */
public class ConsoleException extends LibvirtRegistrationException {
    public ConsoleException(String message) {
        super(message);
    }
}
