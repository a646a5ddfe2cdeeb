/**
 * Writes KVM disk images (sparse raw, qcow2 v3) from any {@link org.xen2kvm.image.BlockDevice}
 * in one sequential pass with memory that does not grow with the disk size, atomically
 * (a {@code .part} file renamed into place), reporting progress as events.
 */
package org.xen2kvm.image.write;
