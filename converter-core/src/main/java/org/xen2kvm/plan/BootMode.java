package org.xen2kvm.plan;

/** How the user asked the converted guest to boot ({@code --boot}). */
public enum BootMode {
    /** Decide from the definition and the guest: direct boot for dom0-kernel guests, else the guest's bootloader. */
    AUTO,
    /** libvirt loads a kernel and initrd: files of this host ({@code --kernel}/{@code --initrd}) or the guest's chosen kernel. */
    DIRECT,
    /** The guest's own bootloader in its disk, even for a guest Xen booted with a dom0 kernel. */
    DISK
}
