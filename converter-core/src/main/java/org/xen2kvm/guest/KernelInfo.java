package org.xen2kvm.guest;

/**
 * A kernel found in {@code /boot}.
 *
 * @param version     the release string ({@code 6.1.0-18-amd64}, {@code 2.6.18-398.el5xen})
 * @param vmlinuzPath path of the kernel image in the guest
 * @param initrdPath  path of its initrd/initramfs, or null when there is none
 * @param xenOnly     a kernel that boots only as a Xen PV guest (RHEL5's {@code -xen} flavour):
 *                    it cannot boot on KVM
 */
public record KernelInfo(String version, String vmlinuzPath, String initrdPath, boolean xenOnly) {
}
