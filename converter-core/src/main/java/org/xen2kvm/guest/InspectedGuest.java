package org.xen2kvm.guest;

import java.util.List;

/**
 * What inspection learnt about a guest.
 *
 * @param kernels  kernels in {@code /boot}, newest first
 * @param fstab    the parsed {@code /etc/fstab}, or null when the guest has none
 * @param consoles console devices the guest refers to ({@code hvc0}, {@code xvc0}, {@code ttyS0}),
 *                 sorted, from getty units, inittab, upstart jobs, securetty and kernel command lines
 * @param virtio   whether the default kernel can drive virtio disks and NICs
 * @param warnings problems met while reading the guest's files, one line each
 * @param initrds  the initrds listed so far, so that later stages do not inflate them again
 * @param verdicts each kernel of {@code kernels}, in the same order, judged for KVM ({@link KernelDetection})
 */
public record InspectedGuest(
        OsInfo os,
        List<KernelInfo> kernels,
        BootloaderInfo bootloader,
        Fstab fstab,
        InitSystem initSystem,
        NetworkConfig network,
        List<String> consoles,
        VirtioSupport virtio,
        List<String> warnings,
        InitrdCache initrds,
        List<KernelVerdict> verdicts) {

    public InspectedGuest {
        kernels = List.copyOf(kernels);
        verdicts = List.copyOf(verdicts);
        consoles = List.copyOf(consoles);
        warnings = List.copyOf(warnings);
    }

    /** A guest known without its kernel files: its kernels are judged by their names ({@link KernelDetection#byName}). */
    public InspectedGuest(OsInfo os, List<KernelInfo> kernels, BootloaderInfo bootloader, Fstab fstab, InitSystem initSystem,
                          NetworkConfig network, List<String> consoles, VirtioSupport virtio, List<String> warnings,
                          InitrdCache initrds) {
        this(os, kernels, bootloader, fstab, initSystem, network, consoles, virtio, warnings, initrds,
                kernels.stream().map(KernelDetection::byName).toList());
    }

    /** The kernel the converted guest should boot ({@link KernelChoice#choose}). */
    public KernelChoice kernelChoice() {
        return KernelChoice.choose(verdicts, bootloader);
    }

    /**
     * A Windows guest, known only by its NTFS volume: nothing inside can be read here.
     *
     * @param volume where the NTFS volume is ({@code /dev/hda1})
     */
    public static InspectedGuest windows(String volume) {
        return new InspectedGuest(new OsInfo("windows", "", "Windows (NTFS volume " + volume + ")", OsFamily.WINDOWS),
                List.of(), BootloaderInfo.none(), null, InitSystem.UNKNOWN, new NetworkConfig(List.of(), List.of()),
                List.of(), VirtioSupport.none("Windows has no virtio drivers unless they were installed in it"),
                List.of(), InitrdCache.empty());
    }
}
