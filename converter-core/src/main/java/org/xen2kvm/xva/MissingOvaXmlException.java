package org.xen2kvm.xva;

import java.nio.file.Path;

/**
 * The archive's first regular member is not {@code ova.xml}: a tar, but not an XVA export.
 * Its own type so that the guest definition reader can say so instead of "corrupt".
 */
public final class MissingOvaXmlException extends XvaFormatException {
    public MissingOvaXmlException(Path file, String what) {
        super(file, 0, what);
    }
}
