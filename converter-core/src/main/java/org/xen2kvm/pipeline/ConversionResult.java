package org.xen2kvm.pipeline;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.xen2kvm.edit.EditReport;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.image.write.OutputSpace;
import org.xen2kvm.libvirt.BootReport;
import org.xen2kvm.plan.ConversionPlan;

/**
 * What a conversion did (or, for a dry run, would do).
 *
 * @param inspected   the guest as inspected, or null when no Linux root was found
 * @param edits       the guest edits with their diffs, or null when nothing was edited
 * @param outputs     files written (disks, kernel, initrd, domain XML)
 * @param registered  libvirt domain name when registered, else null
 * @param boot        boot verification, or null
 * @param timings     stage name to wall time
 * @param space       the data the disks write and the free space of the output file system,
 *                    or null when the disks were not read
 * @param installedKernels what {@code --install-kernel} installed, one line each; empty without it
 */
public record ConversionResult(
        ConversionPlan plan,
        InspectedGuest inspected,
        EditReport edits,
        String domainXml,
        List<Path> outputs,
        String registered,
        BootReport boot,
        Map<String, Duration> timings,
        OutputSpace space,
        List<String> installedKernels) {

    public ConversionResult {
        installedKernels = List.copyOf(installedKernels);
    }

    /** A result without kernels installed. */
    public ConversionResult(ConversionPlan plan, InspectedGuest inspected, EditReport edits, String domainXml,
            List<Path> outputs, String registered, BootReport boot, Map<String, Duration> timings, OutputSpace space) {
        this(plan, inspected, edits, domainXml, outputs, registered, boot, timings, space, List.of());
    }

    /** A result without the space figures. */
    public ConversionResult(ConversionPlan plan, InspectedGuest inspected, EditReport edits, String domainXml,
            List<Path> outputs, String registered, BootReport boot, Map<String, Duration> timings) {
        this(plan, inspected, edits, domainXml, outputs, registered, boot, timings, null);
    }
}
