package org.xen2kvm.edit;

import org.xen2kvm.Xen2KvmException;

/** An lvm.conf that cannot be read as LVM's configuration syntax; the message names the file and line. */
public class LvmConfException extends Xen2KvmException {
    public LvmConfException(String message) {
        super(message);
    }
}
