package org.xen2kvm.libvirt;

import org.libvirt.Error;
import org.libvirt.LibvirtException;

/** Reads what libvirt said out of a {@link LibvirtException}. */
final class LibvirtErrors {
    private LibvirtErrors() {
    }

    static String message(LibvirtException e) {
        Error error = e.getError();
        String text = error != null ? error.getMessage() : e.getMessage();
        return text == null ? "(libvirt gave no message)" : text.strip();
    }

    static boolean is(LibvirtException e, Error.ErrorNumber code) {
        return e.getError() != null && e.getError().getCode() == code;
    }
}
