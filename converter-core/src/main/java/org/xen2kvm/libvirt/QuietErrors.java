package org.xen2kvm.libvirt;

import org.libvirt.Connect;
import org.libvirt.ErrorCallback;
import org.libvirt.LibvirtException;

/**
 * Stops libvirt from printing every error to stderr ("libvirt: ... error : ..."), which it
 * does by default. Core code never prints: errors reach the user through our exceptions,
 * and expected ones (a lookup that finds nothing) should not show at all.
 */
final class QuietErrors {
    /** Held for the life of the process: libvirt keeps calling it, so it must never be collected. */
    private static final ErrorCallback SILENT = new ErrorCallback();
    private static boolean installed;

    private QuietErrors() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            Connect.setErrorCallback(SILENT);
        } catch (LibvirtException e) {
            // Only cosmetic: errors still reach us through virGetLastError.
            return;
        }
        installed = true;
    }
}
