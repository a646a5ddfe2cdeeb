package org.xen2kvm.plan;

/** How the converted guest boots. */
public enum BootStrategy {
    /** libvirt loads kernel and initrd directly (Xen {@code kernel=} guests). */
    DIRECT_KERNEL,
    /** The guest's own bootloader in its disk (pygrub guests with GRUB boot code, HVM guests). */
    GUEST_BOOTLOADER
}
