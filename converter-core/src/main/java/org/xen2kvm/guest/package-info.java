/**
 * Inspection of a guest's root filesystem: which distribution, kernels, bootloader,
 * fstab, init system, network configuration and consoles it has. Read-only; the edits
 * that act on the result live in {@code org.xen2kvm.convert}.
 */
package org.xen2kvm.guest;
