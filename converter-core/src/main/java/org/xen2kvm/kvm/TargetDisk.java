package org.xen2kvm.kvm;

/**
 * One disk or CD-ROM of the KVM guest.
 *
 * @param sourcePath  output image or device path; null for an empty CD-ROM
 * @param format      driver type ({@code raw}, {@code qcow2})
 * @param blockDevice the source is a host block device ({@code <disk type='block'>})
 * @param targetDev   {@code vda}, {@code hdc}
 * @param bus         {@code virtio}, {@code ide}, {@code sata}
 */
public record TargetDisk(
        String sourcePath,
        String format,
        boolean blockDevice,
        String targetDev,
        String bus,
        boolean cdrom,
        boolean readOnly,
        boolean shareable) {
}
