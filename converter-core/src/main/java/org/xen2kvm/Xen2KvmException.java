package org.xen2kvm;

/**
 * Base of every error xen2kvm reports to a user. The message is one line that names the
 * file (and line, column or byte offset where there is one), what is wrong, and what to do.
 */
public class Xen2KvmException extends RuntimeException {
    public Xen2KvmException(String message) {
        super(message);
    }

    public Xen2KvmException(String message, Throwable cause) {
        super(message, cause);
    }
}
