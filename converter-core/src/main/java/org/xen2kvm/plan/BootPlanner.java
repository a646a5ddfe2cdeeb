package org.xen2kvm.plan;

import java.util.List;
import java.util.Optional;
import org.xen2kvm.plan.DeviceMap;
import org.xen2kvm.plan.KernelCmdline;
import org.xen2kvm.guest.BootEntry;
import org.xen2kvm.guest.FstabEntry;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.guest.KernelInfo;
import org.xen2kvm.guest.KernelVerdict;
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

    /** Decides with no boot options given ({@link BootRequest#AUTO}). */
    public static BootDecision decide(ConversionPlan plan, InspectedGuest guest, Optional<PartitionTable> bootDiskTable,
                               List<String> warnings) {
        return decide(plan, guest, bootDiskTable, BootRequest.AUTO, warnings);
    }

    /**
     * Decides how the KVM guest boots.
     *
     * @param request  {@code --boot}, {@code --kernel}, {@code --initrd}, {@code --cmdline}
     * @param warnings where what needs the user's attention is added
     */
    public static BootDecision decide(ConversionPlan plan, InspectedGuest guest, Optional<PartitionTable> bootDiskTable,
                               BootRequest request, List<String> warnings) {
        SourceGuest src = plan.source();
        DeviceMap map = plan.deviceMap();
        if (request.hostKernel()) {
            String cmdline = request.cmdline() != null ? request.cmdline()
                    : KernelCmdline.convert("root=" + rootSpec(guest, src) + " ro", map);
            return new BootDecision(BootStrategy.DIRECT_KERNEL, null, request.kernel().toString(), null,
                    request.initrd() == null ? null : request.initrd().toString(), cmdline,
                    "direct kernel boot of this host's " + request.kernel()
                    + (request.initrd() != null ? " with " + request.initrd() : "") + " (--boot direct)");
        }
        Optional<KernelInfo> chosen = guest == null ? Optional.empty() : chosenKernel(guest);
        if (request.mode() == BootMode.DISK) {
            boolean bootCode = bootDiskTable.map(PartitionTable::hasBootCode).orElse(false);
            if (guest != null && src.virtType() != VirtType.HVM && !bootCode) {
                warnings.add("--boot disk: the boot disk has no boot code (Xen booted the guest without it); install a"
                        + " bootloader in the guest or convert with --boot direct");
            }
            return new BootDecision(BootStrategy.GUEST_BOOTLOADER, null, null, null, null, null,
                    "the guest's own bootloader (--boot disk)");
        }
        if (request.mode() == BootMode.DIRECT && chosen.isPresent()) {
            KernelInfo k = chosen.get();
            String xenCmdline = src.cmdline() != null && !src.cmdline().isBlank() ? src.cmdline()
                    : defaultEntry(guest).map(BootEntry::cmdline).orElseGet(() -> "root=" + rootSpec(guest, src) + " ro");
            return new BootDecision(BootStrategy.DIRECT_KERNEL, k.vmlinuzPath(), null, k.initrdPath(), null,
                    request.cmdline() != null ? request.cmdline() : KernelCmdline.convert(xenCmdline, map),
                    "direct kernel boot of the guest's " + k.vmlinuzPath() + " (--boot direct)");
        }
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
        // No boot code (pygrub read the config from dom0): boot the chosen kernel directly.
        Optional<BootEntry> entry = defaultEntry(guest);
        Optional<KernelInfo> kernel = chosen;
        if (kernel.isEmpty()) {
            warnings.add("the boot disk has no boot code and the guest has no standard kernel in /boot; it will not boot");
            return new BootDecision(BootStrategy.GUEST_BOOTLOADER, null, null, null, null, null,
                    "no boot code and no usable kernel found");
        }
        String xenCmdline = entry.map(BootEntry::cmdline).orElseGet(() -> "root=" + rootSpec(guest, src) + " ro");
        String cmdline = KernelCmdline.convert(xenCmdline == null ? "" : xenCmdline, map);
        String why = !bootCode ? "the boot disk has no boot code" : "no bootloader configuration was found";
        warnings.add(why + "; falling back to direct kernel boot of " + kernel.get().vmlinuzPath());
        return new BootDecision(BootStrategy.DIRECT_KERNEL, kernel.get().vmlinuzPath(), null, kernel.get().initrdPath(),
                null, cmdline, "direct kernel boot (" + why + ") of the guest's " + kernel.get().vmlinuzPath());
    }

    /** The kernel {@link org.xen2kvm.guest.KernelChoice} picked, as inspection listed it. */
    private static Optional<KernelInfo> chosenKernel(InspectedGuest g) {
        Optional<KernelVerdict> v = g.kernelChoice().kernel();
        return v.flatMap(c -> g.kernels().stream().filter(k -> k.vmlinuzPath().equals(c.kernelPath())).findFirst());
    }

    private static Optional<BootEntry> defaultEntry(InspectedGuest g) {
        if (g.bootloader() == null || g.bootloader().entries().isEmpty()) {
            return Optional.empty();
        }
        int i = Math.max(0, Math.min(g.bootloader().defaultEntry(), g.bootloader().entries().size() - 1));
        return Optional.of(g.bootloader().entries().get(i));
    }

    /** The root device as the guest names it: the default menu entry's root=, fstab's /, the definition's root. */
    private static String rootSpec(InspectedGuest g, SourceGuest src) {
        Optional<String> fromMenu = g == null ? Optional.empty() : defaultEntry(g)
                .flatMap(e -> KernelCmdline.split(e.cmdline()).stream().filter(a -> a.startsWith("root=")).findFirst())
                .map(a -> a.substring("root=".length()));
        if (fromMenu.isPresent()) {
            return fromMenu.get();
        }
        if (g != null && g.fstab() != null) {
            for (FstabEntry e : g.fstab().entries()) {
                if ("/".equals(e.mountPoint())) {
                    return e.spec();
                }
            }
        }
        if (src.cmdline() != null) {
            Optional<String> r = KernelCmdline.split(src.cmdline()).stream().filter(a -> a.startsWith("root=")).findFirst();
            if (r.isPresent()) {
                return r.get().substring("root=".length());
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
        java.util.Set<String> capable = new java.util.HashSet<>();
        g.verdicts().stream().filter(KernelVerdict::kvmCapable).forEach(v -> capable.add(v.kernelPath()));
        for (KernelInfo k : g.kernels()) {
            if (k.xenOnly() || !capable.contains(k.vmlinuzPath())) {
                continue;
            }
            String kb = k.vmlinuzPath().substring(k.vmlinuzPath().lastIndexOf('/') + 1);
            if (kb.equals(base) || (!k.version().isEmpty() && base.contains(k.version()))) {
                return Optional.of(k);
            }
        }
        return chosenKernel(g);
    }
}
