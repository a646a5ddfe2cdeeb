/**
 * Makes a guest kernel bootable on KVM from the guest's own files: {@link
 * org.xen2kvm.kernel.VirtioInitramfs} rebuilds an initramfs (made on Xen by initramfs-tools, dracut or
 * mkinitrd) with the virtio, filesystem and device-mapper modules of the kernel's module tree,
 * which {@link org.xen2kvm.kernel.KmodModuleSupply} reads through org.xen2kvm.kmod. It joins the kmod
 * and initramfs packages; the guest edits and the kernel install call it.
 */
package org.xen2kvm.kernel;
