package org.xen2kvm.pipeline;

import org.xen2kvm.guest.GuestLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.guest.InspectedGuest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.xen2kvm.guest.Fstab;
import org.xen2kvm.guest.FstabEntry;
import org.xen2kvm.guest.LvmInventory;
import org.xen2kvm.lvm.LvmNames;
import org.xen2kvm.plan.DeviceMap;
import org.xen2kvm.plan.DeviceMapping;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceGuest;

/** Reads a guest's definition and looks inside its disks, changing nothing: {@link Steps#inspection()}. */
public final class GuestInspection {
    /**
     * What was found.
     *
     * @param volumes the filesystems and swap areas, as {@code /dev/vda1 (uuid)} on the KVM side
     * @param guest   the inspected root filesystem, or null when none was found
     * @param lvm     the LVM2 layout: VGs, their PVs (by KVM and Xen device) and LVs (with what is on them)
     */
    public record Result(SourceGuest source, List<String> volumes, InspectedGuest guest, List<String> warnings,
                         LvmInventory lvm) {
    }

    private GuestInspection() {
    }

    public static Result run(Path definition, ConfigFormat format, boolean allowBacking) throws IOException {
        // A compressed XVA's disks are unpacked to the output directory to be read at random.
        Path scratch = Path.of(System.getProperty("java.io.tmpdir"));
        ConversionRequest request = new ConversionRequest(definition, format, PlanOptions.defaults(scratch), true,
                false, CopyOptions.DEFAULT, allowBacking, null, false, false, null);
        ConversionRun run = new ConversionRun(request, ConversionListener.NONE);
        StepRunner.run(Steps.inspection(), run);
        List<String> warnings = new java.util.ArrayList<>(run.get(Facts.PLAN).warnings());
        warnings.addAll(run.takeWarnings());
        return new Result(run.get(Facts.SOURCE), run.find(Facts.LAYOUT).map(GuestLayout::descriptions).orElse(List.of()),
                run.find(Facts.INSPECTED).orElse(null), warnings, lvm(run));
    }

    /** The LVM layout with each PV's Xen device and each LV's fstab mount point. */
    private static LvmInventory lvm(ConversionRun run) {
        Optional<GuestLayout> layout = run.find(Facts.LAYOUT);
        if (layout.isEmpty()) {
            return LvmInventory.NONE;
        }
        // The layout names devices as the device map did when the disks were opened.
        DeviceMap devices = run.find(Facts.PLANNED_DEVICES).orElse(run.get(Facts.PLAN).deviceMap());
        Map<String, String> mountPoints = new LinkedHashMap<>();
        Fstab fstab = run.find(Facts.INSPECTED).map(InspectedGuest::fstab).orElse(null);
        if (fstab != null) {
            for (FstabEntry e : fstab.entries()) {
                if ("swap".equals(e.type())) {
                    String path = LvmNames.canonical(e.spec());
                    if (LvmNames.isDevPath(path)) {
                        mountPoints.put(path, "swap");
                    }
                    continue;
                }
                layout.get().resolve(e.spec(), devices::translate).flatMap(layout.get()::volumeOf)
                        .ifPresent(v -> mountPoints.putIfAbsent(v.kvmPath(), e.mountPoint()));
            }
        }
        return layout.get().lvm().withGuestNames(kvm -> xenDevice(devices, kvm), mountPoints);
    }

    /** {@code /dev/vda2} to {@code xvda2}; a partition Xen attached as a disk keeps its Xen name. */
    static String xenDevice(DeviceMap devices, String kvmPath) {
        for (DeviceMapping m : devices.disks()) {
            String disk = m.kvmGuestPath();
            if (kvmPath.equals(disk)) {
                return m.xenVdev();
            }
            if (kvmPath.startsWith(disk) && kvmPath.substring(disk.length()).matches("[0-9]+")) {
                return m.xenVdev() + kvmPath.substring(disk.length());
            }
        }
        return null;
    }
}
