/**
 * Linux kernel modules read natively, and what depmod writes about them written natively:
 * {@link org.xen2kvm.kmod.ModuleDecompressor} (.ko, .ko.xz, .ko.zst, .ko.gz), the ELF
 * {@code .modinfo} and symbol tables ({@link org.xen2kvm.kmod.ModinfoReader}), a release's
 * module tree with load order ({@link org.xen2kvm.kmod.ModuleTree}), and modules.dep with
 * the binary indexes kmod's modprobe reads ({@link org.xen2kvm.kmod.DepmodFiles}).
 * Modules come from the guest and are hostile input: every reader bounds-checks and fails
 * with {@link org.xen2kvm.kmod.ModuleFormatException}.
 */
package org.xen2kvm.kmod;
