package org.xen2kvm.fs.ext;

/** Logical blocks {@code [logical, logical+length)} of a file stored at {@code physical}. */
record Run(long logical, long physical, long length, boolean unwritten) {
}
