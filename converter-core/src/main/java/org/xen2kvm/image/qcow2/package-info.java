/**
 * Read-only qcow2 (versions 2 and 3) decoder, after QEMU docs/interop/qcow2.txt: header and
 * extensions, L1/L2 tables, zero and compressed clusters, backing files.
 */
package org.xen2kvm.image.qcow2;
