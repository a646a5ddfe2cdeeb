package org.xen2kvm.plan;

import java.util.List;
import org.xen2kvm.convert.DeviceMap;
import org.xen2kvm.source.SourceGuest;
import org.xen2kvm.target.TargetDomain;

/**
 * Everything a conversion will do, decided up front.
 *
 * @param bootNote why this boot strategy was chosen, for the plan printout
 */
public record ConversionPlan(
        SourceGuest source,
        DeviceMap deviceMap,
        TargetDomain target,
        List<DiskCopy> copies,
        BootStrategy boot,
        String bootNote,
        List<String> warnings) {

    public ConversionPlan {
        copies = List.copyOf(copies);
        warnings = List.copyOf(warnings);
    }

    public ConversionPlan withTarget(TargetDomain t, BootStrategy b, String note, List<String> moreWarnings) {
        java.util.List<String> w = new java.util.ArrayList<>(warnings);
        w.addAll(moreWarnings);
        return new ConversionPlan(source, deviceMap, t, copies, b, note, w);
    }
}
