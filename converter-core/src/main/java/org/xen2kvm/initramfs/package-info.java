/**
 * Initramfs images read and written natively: the kernel's buffer format (zero padding, plain
 * and compressed "newc" cpio archives one after another,
 * Documentation/driver-api/early-userspace/buffer-format.rst) with every segment's compression
 * kept, and the rebuilders that add the modules a KVM guest needs in the format of the tool
 * that made the image (initramfs-tools, dracut, RHEL5 mkinitrd/nash). Module files and their
 * indexes come through {@link org.xen2kvm.initramfs.ModuleSupply}; this package does not
 * read kernels or modules itself.
 */
package org.xen2kvm.initramfs;
