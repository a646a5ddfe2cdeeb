package org.xen2kvm.guest;

import java.util.List;

/**
 * Whether one kernel installed in the guest can boot on KVM, and why.
 *
 * @param release    the release string ({@code 6.1.0-18-amd64}, {@code 2.6.18-398.el5xen})
 * @param kernelPath the kernel image in the guest ({@code /boot/vmlinuz-...})
 * @param initrdPath its initrd, or null when there is none
 * @param kvmCapable it can boot on KVM: not Xen-only, and virtio_blk and virtio_pci are not missing
 * @param xenOnly    a Xen-only kernel: a xenified config ({@code CONFIG_X86_XEN}, {@code CONFIG_X86_64_XEN})
 *                   or a Xen flavour's release ({@code el5xen}, {@code -xen}, {@code xenU})
 * @param virtioBlk  how the kernel provides virtio_blk (the disk driver)
 * @param virtioNet  how it provides virtio_net (the NIC driver)
 * @param virtioPci  how it provides virtio_pci (the bus both sit on)
 * @param debug      a debug flavour ({@code kernel-debug}, {@code +debug}): chosen only when nothing else boots
 * @param reasons    one line each: why it cannot boot on KVM, or what it lacks there; empty for a clean kernel
 */
public record KernelVerdict(
        String release,
        String kernelPath,
        String initrdPath,
        boolean kvmCapable,
        boolean xenOnly,
        DriverStatus virtioBlk,
        DriverStatus virtioNet,
        DriverStatus virtioPci,
        boolean debug,
        List<String> reasons) {

    public KernelVerdict {
        reasons = List.copyOf(reasons);
    }

    /** Capable, with both the disk and the NIC driver: the kernels a conversion prefers. */
    public boolean complete() {
        return kvmCapable && virtioBlk.available() && virtioNet.available();
    }

    /** {@code 6.1.0-18-amd64 (release is a Xen flavour; ...)}, for messages. */
    public String summary() {
        return release + (reasons.isEmpty() ? "" : " (" + String.join("; ", reasons) + ")");
    }
}
