package org.xen2kvm.batch;

import org.xen2kvm.Xen2KvmException;

/** A plan that cannot be run as written: unreadable YAML, an unknown key, a bad name or option. */
public final class BadPlanException extends Xen2KvmException {
    public BadPlanException(String message) {
        super(message);
    }

    public BadPlanException(String message, Throwable cause) {
        super(message, cause);
    }
}
