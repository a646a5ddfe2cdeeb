/**
 * Read-only decoder for the original qcow format (version 1), as written by Xen's
 * {@code tap:qcow:} driver and QEMU block/qcow.c: two-level L1/L2 tables, deflate-compressed
 * clusters and a backing file.
 */
package org.xen2kvm.image.qcow;
