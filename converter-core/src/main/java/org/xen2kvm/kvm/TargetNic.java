package org.xen2kvm.kvm;

/**
 * One NIC of the KVM guest.
 *
 * @param network true: {@code source} is a libvirt network; false: a host bridge
 * @param model   {@code virtio}, or the Xen guest's emulated model when kept
 */
public record TargetNic(String mac, boolean network, String source, String model) {
}
