package org.xen2kvm.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.config.read.GuestDefinitionReader;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.plan.ConversionPlanner;
import org.xen2kvm.plan.DeviceModelChoice;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.source.ConfigFormat;
import org.xen2kvm.source.SourceGuest;

/** Reads a guest's definition and looks inside its disks, changing nothing. */
public final class GuestInspection {
    /**
     * What was found.
     *
     * @param volumes the filesystems and swap areas, as {@code /dev/vda1 (uuid)} on the KVM side
     * @param guest   the inspected root filesystem, or null when none was found
     */
    public record Result(SourceGuest source, List<String> volumes, InspectedGuest guest, List<String> warnings) {
    }

    private GuestInspection() {
    }

    public static Result run(Path definition, ConfigFormat format, boolean allowBacking) throws IOException {
        SourceGuest source = GuestDefinitionReader.read(definition, format);
        ConversionPlan plan = ConversionPlanner.plan(source, PlanOptions.defaults(Path.of(".")));
        List<String> warnings = new ArrayList<>(plan.warnings());
        List<String> volumes = new ArrayList<>();
        InspectedGuest inspected = null;
        try (GuestDisks disks = GuestDisks.open(plan, allowBacking, Path.of(System.getProperty("java.io.tmpdir")), e -> { });
             GuestLayout layout = GuestLayout.discover(disks)) {
            warnings.addAll(layout.warnings());
            for (GuestLayout.Volume v : layout.volumes()) {
                volumes.add(v.kvmPath() + (v.fs() == null ? " swap" : " " + v.fs().describe())
                        + (v.uuid() != null ? " UUID=" + v.uuid() : ""));
            }
            GuestFileSystem rootFs = GuestInspector.findRoot(layout.filesystems()).orElse(null);
            GuestFileSystem root = rootFs == null ? null : layout.mountBoot(rootFs, plan.deviceMap(), warnings);
            if (root == null) {
                inspected = layout.ntfsVolume().map(InspectedGuest::windows).orElse(null);
                warnings.add(inspected != null ? "Windows guest (NTFS on " + layout.ntfsVolume().get()
                        + "): its files cannot be read here" : "no Linux root filesystem found on the guest's disks");
            } else {
                inspected = GuestInspector.inspect(root);
                warnings.addAll(inspected.warnings());
            }
            // What a conversion would do with each device, now that the drivers are known.
            ConversionPlan chosen = DeviceModelChoice.apply(plan, inspected, false);
            warnings.removeAll(plan.deviceNotes());
            warnings.addAll(chosen.deviceNotes());
        }
        return new Result(source, volumes, inspected, warnings);
    }
}
