package org.xen2kvm.xva;

import java.nio.file.Path;
import org.xen2kvm.image.DiskFormatException;

/** An XVA archive is corrupt, hostile or unsupported; the message names the file, offset and entry. */
public sealed class XvaFormatException extends DiskFormatException permits MissingOvaXmlException {
    public XvaFormatException(Path file, long offset, String what) {
        super(file, offset, what);
    }
}
