package org.xen2kvm.xva;

/**
 * A disk (VDI) in an XVA archive.
 *
 * @param ref         its reference, the chunk directory name (e.g. {@code Ref:4})
 * @param virtualSize size from ova.xml's VDI {@code virtual_size}, or -1 if ova.xml has none
 * @param chunks      chunk entries stored (all-zero chunks are left out by the exporter), or
 *                    -1 for a compressed archive, which is not indexed
 */
public record XvaDisk(String ref, long virtualSize, int chunks) {
}
