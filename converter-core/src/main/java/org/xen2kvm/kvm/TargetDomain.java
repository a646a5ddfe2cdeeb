package org.xen2kvm.kvm;

import java.util.List;

/**
 * The KVM guest to create.
 *
 * @param domainType  {@code kvm}, or {@code qemu} for hosts without KVM
 * @param machine     QEMU machine type ({@code pc})
 * @param bootDevices boot order as libvirt names ({@code hd}, {@code cdrom}, {@code network}),
 *                    used when {@code directBoot} is null
 * @param directBoot  kernel/initrd/cmdline to boot directly, or null
 * @param localtime   the guest clock runs in local time (Windows, some old HVM guests)
 * @param onPoweroff  libvirt lifecycle action
 */
public record TargetDomain(
        String name,
        String uuid,
        DomainType domainType,
        long memoryKiB,
        long currentMemoryKiB,
        int vcpus,
        int currentVcpus,
        String machine,
        List<String> bootDevices,
        DirectBoot directBoot,
        boolean acpi,
        boolean apic,
        boolean localtime,
        String onPoweroff,
        String onReboot,
        String onCrash,
        List<TargetDisk> disks,
        List<TargetNic> nics,
        List<TargetGraphics> graphics,
        String description) {

    public TargetDomain {
        bootDevices = List.copyOf(bootDevices);
        disks = List.copyOf(disks);
        nics = List.copyOf(nics);
        graphics = List.copyOf(graphics);
    }

    /** A copy with another direct boot setting. */
    public TargetDomain withDirectBoot(DirectBoot boot) {
        return new TargetDomain(name, uuid, domainType, memoryKiB, currentMemoryKiB, vcpus, currentVcpus,
                machine, bootDevices, boot, acpi, apic, localtime, onPoweroff, onReboot, onCrash, disks,
                nics, graphics, description);
    }

    /** A copy with other disks and NICs. */
    public TargetDomain withDevices(List<TargetDisk> newDisks, List<TargetNic> newNics) {
        return new TargetDomain(name, uuid, domainType, memoryKiB, currentMemoryKiB, vcpus, currentVcpus,
                machine, bootDevices, directBoot, acpi, apic, localtime, onPoweroff, onReboot, onCrash, newDisks,
                newNics, graphics, description);
    }
}
