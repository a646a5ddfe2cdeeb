package org.xen2kvm.plan;

import java.util.List;
import java.util.Optional;
import org.xen2kvm.plan.DeviceMap;
import org.xen2kvm.plan.KernelCmdline;
import org.xen2kvm.guest.BootEntry;
import org.xen2kvm.guest.FstabEntry;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.guest.KernelInfo;
import org.xen2kvm.partition.PartitionTable;
import org.xen2kvm.plan.BootStrategy;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.VirtType;

/**
 * Chooses how the KVM guest boots once its files are known.
 *
 * <p>A guest Xen booted with a dom0 kernel ({@code kernel=}) keeps direct kernel boot, with
 * the matching kernel from its own /boot when present (it has the guest's modules and an
 * initrd built for it), else the newest non-Xen kernel there, else the dom0 files. A
 * pygrub guest boots its own GRUB when the boot disk has boot code; otherwise it falls back
 * to direct boot of its default GRUB entry. A Xen-only kernel ({@code *xen}) is never chosen.
 */
public final class BootPlanner {
    private BootPlanner() {
    }

    public static BootDecision decide(ConversionPlan plan, InspectedGuest guest, Optional<PartitionTable> bootDiskTable,
                               List<String> warnings) {
        SourceGuest src = plan.source();
        DeviceMap map = plan.deviceMap();
        if (plan.boot() == BootStrategy.DIRECT_KERNEL) {
            Optional<KernelInfo> k = guest == null ? Optional.empty() : pickKernel(guest, src.kernel());
            String cmdline = KernelCmdline.convert(src.cmdline() == null ? "" : src.cmdline(), map);
            if (k.isPresent()) {
                return new BootDecision(BootStrategy.DIRECT_KERNEL, k.get().vmlinuzPath(), null, k.get().initrdPath(),
                        null, cmdline, "direct kernel boot of the guest's own " + k.get().vmlinuzPath()
                        + (k.get().initrdPath() != null ? " with " + k.get().initrdPath() : ""));
            }
            if (isXenOnly(src.kernel())) {
                warnings.add("the dom0 kernel " + src.kernel() + " is Xen-only and the guest has no other kernel in /boot;"
                        + " supply a standard kernel");
            }
            return new BootDecision(BootStrategy.DIRECT_KERNEL, null, src.kernel(), null, src.ramdisk(), cmdline,
                    "direct kernel boot of the dom0 kernel " + src.kernel() + " (none found in the guest's /boot)");
        }
        if (src.virtType() == VirtType.HVM || guest == null) {
            return new BootDecision(BootStrategy.GUEST_BOOTLOADER, null, null, null, null, null, plan.bootNote());
        }
        boolean bootCode = bootDiskTable.map(PartitionTable::hasBootCode).orElse(false);
        boolean hasConfig = guest.bootloader() != null && guest.bootloader().configPath() != null;
        if (bootCode && hasConfig) {
            return new BootDecision(BootStrategy.GUEST_BOOTLOADER, null, null, null, null, null,
                    "the guest's own bootloader (boot code in the MBR, " + guest.bootloader().configPath() + ")");
        }
        // No boot code (pygrub read the config from dom0): boot the default entry directly.
        Optional<BootEntry> entry = defaultEntry(guest);
        Optional<KernelInfo> kernel = entry.flatMap(e -> guest.kernels().stream()
                .filter(k -> k.vmlinuzPath().equals(e.kernelPath()) && !k.xenOnly()).findFirst());
        if (kernel.isEmpty()) {
            kernel = guest.kernels().stream().filter(k -> !k.xenOnly()).findFirst();
        }
        if (kernel.isEmpty()) {
            warnings.add("the boot disk has no boot code and the guest has no standard kernel in /boot; it will not boot");
            return new BootDecision(BootStrategy.GUEST_BOOTLOADER, null, null, null, null, null,
                    "no boot code and no usable kernel found");
        }
        String xenCmdline = entry.map(BootEntry::cmdline).orElseGet(() -> "root=" + rootSpec(guest) + " ro");
        String cmdline = KernelCmdline.convert(xenCmdline == null ? "" : xenCmdline, map);
        String why = !bootCode ? "the boot disk has no boot code" : "no bootloader configuration was found";
        warnings.add(why + "; falling back to direct kernel boot of " + kernel.get().vmlinuzPath());
        return new BootDecision(BootStrategy.DIRECT_KERNEL, kernel.get().vmlinuzPath(), null, kernel.get().initrdPath(),
                null, cmdline, "direct kernel boot (" + why + ") of the guest's " + kernel.get().vmlinuzPath());
    }

    private static Optional<BootEntry> defaultEntry(InspectedGuest g) {
        if (g.bootloader() == null || g.bootloader().entries().isEmpty()) {
            return Optional.empty();
        }
        int i = Math.max(0, Math.min(g.bootloader().defaultEntry(), g.bootloader().entries().size() - 1));
        return Optional.of(g.bootloader().entries().get(i));
    }

    private static String rootSpec(InspectedGuest g) {
        if (g.fstab() != null) {
            for (FstabEntry e : g.fstab().entries()) {
                if ("/".equals(e.mountPoint())) {
                    return e.spec();
                }
            }
        }
        return "/dev/xvda1";
    }

    public static boolean isXenOnly(String kernelPath) {
        return kernelPath != null && (kernelPath.endsWith("xen") || kernelPath.contains("xenU"));
    }

    /** The guest kernel matching the dom0 kernel's file name or version, else the newest standard one. */
    private static Optional<KernelInfo> pickKernel(InspectedGuest g, String xenKernel) {
        String base = xenKernel == null ? "" : xenKernel.substring(xenKernel.lastIndexOf('/') + 1);
        for (KernelInfo k : g.kernels()) {
            if (k.xenOnly()) {
                continue;
            }
            String kb = k.vmlinuzPath().substring(k.vmlinuzPath().lastIndexOf('/') + 1);
            if (kb.equals(base) || (!k.version().isEmpty() && base.contains(k.version()))) {
                return Optional.of(k);
            }
        }
        return g.kernels().stream().filter(k -> !k.xenOnly()).findFirst();
    }
}
