package org.xen2kvm.plan;

/**
 * Where one Xen disk goes on KVM.
 *
 * @param sourceIndex     position of the disk in the Xen definition
 * @param xenVdev         the vdev as written in the config ({@code xvda2}, {@code hdc})
 * @param kvmTarget       libvirt target dev ({@code vda}, {@code hdc})
 * @param bus             libvirt bus ({@code virtio}, {@code ide})
 * @param cdrom           a CD-ROM
 * @param partitionAsDisk the Xen vdev named a partition ({@code xvda2}) but held a whole
 *                        filesystem: the guest's {@code /dev/xvda2} is now {@code /dev/vdb}
 */
public record DeviceMapping(
        int sourceIndex,
        String xenVdev,
        String kvmTarget,
        String bus,
        boolean cdrom,
        boolean partitionAsDisk) {

    /** The guest's device path for this disk after conversion: {@code /dev/vdb}. */
    public String kvmGuestPath() {
        return "/dev/" + kvmTarget;
    }
}
