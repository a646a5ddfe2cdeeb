package org.xen2kvm.image;

import java.io.IOException;

/**
 * Opens the parent an image header names. Supplied by {@code org.xen2kvm.image.open.ImageOpener}, which resolves the
 * name, enforces the directory and loop rules and decodes the parent's own chain.
 */
@FunctionalInterface
public interface BackingOpener {
    /** Opens {@code ref} read-only; the caller owns (and closes) the returned device. */
    FormatImage open(BackingReference ref) throws IOException;
}
