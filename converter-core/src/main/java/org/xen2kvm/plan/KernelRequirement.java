package org.xen2kvm.plan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.guest.KernelVerdict;
import org.xen2kvm.guest.OsFamily;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.VirtType;

/**
 * Whether the converted guest will have a kernel that boots on KVM. It has one when the user
 * supplies it ({@code --install-kernel}, {@code --boot direct --kernel}), when the guest has a
 * KVM-capable kernel, or when Xen booted it with a dom0 kernel that is no Xen flavour and is
 * on this host. A guest in whose {@code /boot} no kernel was found is not refused: its
 * {@code /boot} may be on a filesystem xen2kvm cannot read. HVM guests keep their emulated devices and boot whatever they booted; guests
 * whose files could not be read are copied unchanged: neither is judged here.
 */
public final class KernelRequirement {

    /** What to pass, the end of every refusal. */
    static final String REMEDY = "pass --install-kernel PKG (a standard kernel package for the guest, .deb or .rpm)"
            + " or --boot direct --kernel FILE --initrd FILE (a kernel of this host and its initrd)";

    private KernelRequirement() {
    }

    /** Why the conversion must stop, or empty when the guest will have a kernel for KVM. */
    public static Optional<String> refusal(ConversionPlan plan, InspectedGuest guest, BootRequest request) {
        if (!request.installKernels().isEmpty() || request.hostKernel() || guest == null
                || guest.os().family() == OsFamily.WINDOWS) {
            return Optional.empty();
        }
        SourceGuest src = plan.source();
        if (src.virtType() == VirtType.HVM) {
            return Optional.empty();
        }
        // No kernel found is not proof of none: /boot may be on a filesystem read nowhere here
        // (XFS, btrfs). Inspection and the boot decision warn about it instead.
        if (guest.verdicts().isEmpty() || guest.kernelChoice().chosen() != null) {
            return Optional.empty();
        }
        boolean dom0Kernel = src.kernel() != null && !BootPlanner.isXenOnly(src.kernel())
                && Files.isRegularFile(Path.of(src.kernel())) && request.mode() != BootMode.DISK;
        if (dom0Kernel) {
            return Optional.empty();
        }
        String found = "found " + guest.verdicts().stream().map(KernelVerdict::summary).collect(Collectors.joining(", "));
        return Optional.of(src.name() + ": no kernel of the guest can boot on KVM: " + found + "; " + REMEDY);
    }
}
