package org.xen2kvm.guest;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The kernel the converted guest should boot, among those installed.
 *
 * <p>The default boot entry's kernel is kept when it is KVM-capable with both virtio_blk and
 * virtio_net and is no debug flavour: the user chose it. Otherwise the best capable kernel
 * wins: with virtio_blk and virtio_net first, then not debug, then the newest release. The
 * other kernels stay installed and in the menu, the Xen one as a fallback.
 *
 * @param chosen the kernel, or null when none can boot on KVM
 * @param why    why it was chosen, or why none was
 */
public record KernelChoice(KernelVerdict chosen, String why) {

    /** Prefer complete kernels, then non-debug ones, then the newest. */
    private static final Comparator<KernelVerdict> BEST = Comparator
            .comparing(KernelVerdict::complete)
            .thenComparing(v -> !v.debug())
            .thenComparing(KernelVerdict::release, KernelVersions.ASCENDING);

    public Optional<KernelVerdict> kernel() {
        return Optional.ofNullable(chosen);
    }

    /**
     * Chooses among the verdicts.
     *
     * @param boot the guest's boot menu, for its default entry (may be {@link BootloaderInfo#none()})
     */
    public static KernelChoice choose(List<KernelVerdict> verdicts, BootloaderInfo boot) {
        if (verdicts.isEmpty()) {
            return new KernelChoice(null, "no kernel in /boot");
        }
        Optional<KernelVerdict> dflt = defaultKernel(verdicts, boot);
        if (dflt.isPresent() && dflt.get().complete() && !dflt.get().debug()) {
            return new KernelChoice(dflt.get(), "the default boot entry's kernel, which can boot on KVM");
        }
        Optional<KernelVerdict> best = verdicts.stream().filter(KernelVerdict::kvmCapable).max(BEST);
        if (best.isEmpty()) {
            return new KernelChoice(null, "no kernel in /boot can boot on KVM");
        }
        String instead = dflt.filter(d -> d != best.get())
                .map(d -> " (the default entry's " + d.release() + " " + shortcoming(d) + ")")
                .orElse("");
        String what = best.get().complete() ? "the newest KVM-capable kernel with virtio_blk and virtio_net"
                : "the newest KVM-capable kernel";
        return new KernelChoice(best.get(), what + instead);
    }

    private static String shortcoming(KernelVerdict d) {
        if (!d.kvmCapable()) {
            return "cannot boot on KVM";
        }
        if (d.debug()) {
            return "is a debug flavour";
        }
        return d.virtioNet() == DriverStatus.MISSING ? "has no virtio_net" : "has virtio_net unchecked";
    }

    /** The verdict of the kernel the default menu entry boots, matched by path or file name. */
    public static Optional<KernelVerdict> defaultKernel(List<KernelVerdict> verdicts, BootloaderInfo boot) {
        if (boot == null) {
            return Optional.empty();
        }
        return boot.defaultBootEntry().flatMap(e -> byMenuPath(verdicts, e.kernelPath()));
    }

    /** The verdict of the kernel a menu line names ({@code /vmlinuz-X}, {@code /boot/vmlinuz-X}, {@code (hd0,0)/vmlinuz-X}). */
    public static Optional<KernelVerdict> byMenuPath(List<KernelVerdict> verdicts, String menuPath) {
        if (menuPath == null) {
            return Optional.empty();
        }
        String base = menuPath.substring(menuPath.lastIndexOf('/') + 1);
        return verdicts.stream()
                .filter(v -> v.kernelPath().substring(v.kernelPath().lastIndexOf('/') + 1).equals(base))
                .findFirst();
    }
}
