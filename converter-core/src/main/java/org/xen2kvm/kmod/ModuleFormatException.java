package org.xen2kvm.kmod;

import java.io.IOException;

/**
 * A kernel module (or a module list such as modules.order) is corrupt, truncated or not what
 * its name says. The message is one line naming the file and the place (section, offset).
 */
public class ModuleFormatException extends IOException {
    public ModuleFormatException(String message) {
        super(message);
    }

    public ModuleFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
