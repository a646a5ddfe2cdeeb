package org.xen2kvm.lvm;

/** A disk_locn of the PV header: a data or metadata area, in bytes from the start of the PV. */
public record DiskArea(long offset, long size) {
}
