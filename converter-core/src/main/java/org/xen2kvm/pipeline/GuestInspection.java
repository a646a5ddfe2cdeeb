package org.xen2kvm.pipeline;

import org.xen2kvm.guest.GuestLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.guest.InspectedGuest;
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
     */
    public record Result(SourceGuest source, List<String> volumes, InspectedGuest guest, List<String> warnings) {
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
                run.find(Facts.INSPECTED).orElse(null), warnings);
    }
}
