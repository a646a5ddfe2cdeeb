package org.xen2kvm.pkg;

import org.xen2kvm.Xen2KvmException;

/**
 * A well-formed package that cannot go into this guest: built for another architecture, not
 * a kernel, or needing packages the guest lacks. The message is one line naming the package
 * file and the reason (the missing dependencies by name). The command line reports it as a
 * failed conversion (exit 1).
 */
public class PackageRefusedException extends Xen2KvmException {
    private static final long serialVersionUID = 1L;

    /** Why a package was refused. */
    public enum Reason {
        WRONG_ARCHITECTURE, NOT_A_KERNEL, MISSING_DEPENDENCIES
    }

    private final Reason reason;

    public PackageRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
