package org.xen2kvm.guest;

import java.util.List;

/**
 * What inspection learnt about a guest.
 *
 * @param kernels  kernels in {@code /boot}, newest first
 * @param fstab    the parsed {@code /etc/fstab}, or null when the guest has none
 * @param consoles console devices the guest refers to ({@code hvc0}, {@code xvc0}, {@code ttyS0}),
 *                 sorted, from getty units, inittab, upstart jobs, securetty and kernel command lines
 * @param warnings problems met while reading the guest's files, one line each
 */
public record InspectedGuest(
        OsInfo os,
        List<KernelInfo> kernels,
        BootloaderInfo bootloader,
        Fstab fstab,
        InitSystem initSystem,
        NetworkConfig network,
        List<String> consoles,
        List<String> warnings) {

    public InspectedGuest {
        kernels = List.copyOf(kernels);
        consoles = List.copyOf(consoles);
        warnings = List.copyOf(warnings);
    }
}
