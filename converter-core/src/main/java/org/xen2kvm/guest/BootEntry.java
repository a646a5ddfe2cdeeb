package org.xen2kvm.guest;

/**
 * One boot menu entry, as far as xen2kvm needs it for a direct kernel boot.
 *
 * @param title      menu title
 * @param kernelPath kernel path as written in the config (relative to grub's root device)
 * @param initrdPath initrd path as written, or null
 * @param cmdline    kernel arguments after the kernel path
 */
public record BootEntry(String title, String kernelPath, String initrdPath, String cmdline) {
}
