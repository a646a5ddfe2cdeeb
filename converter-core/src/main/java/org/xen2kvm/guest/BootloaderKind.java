package org.xen2kvm.guest;

public enum BootloaderKind {
    GRUB2, GRUB_LEGACY, EXTLINUX, NONE
}
