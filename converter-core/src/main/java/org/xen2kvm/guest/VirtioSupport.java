package org.xen2kvm.guest;

/**
 * Whether the kernel the guest boots by default can drive virtio devices on KVM.
 *
 * @param kernel      the release judged ({@code 6.1.0-18-amd64}), or null when the guest has no
 *                    kernel that can boot on KVM
 * @param blk         virtio_blk and virtio_pci reach the kernel before it mounts its root: built in,
 *                    or modules in its initrd
 * @param blkEvidence why {@code blk} holds or not, for the plan
 * @param net         virtio_net and virtio_pci are built in or installed as modules (loaded after
 *                    the root is mounted, so the initrd need not hold them)
 * @param netEvidence why {@code net} holds or not, for the plan
 */
public record VirtioSupport(String kernel, boolean blk, String blkEvidence, boolean net, String netEvidence) {

    /** Nothing can be driven: no kernel was found, or the guest is not Linux. */
    public static VirtioSupport none(String why) {
        return new VirtioSupport(null, false, why, false, why);
    }
}
