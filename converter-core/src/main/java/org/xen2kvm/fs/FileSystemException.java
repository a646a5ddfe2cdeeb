package org.xen2kvm.fs;

import java.io.IOException;

/** A guest filesystem is corrupt, unsupported, or an operation on it is impossible. */
public class FileSystemException extends IOException {
    public FileSystemException(String message) {
        super(message);
    }

    public FileSystemException(String message, Throwable cause) {
        super(message, cause);
    }
}
