package org.xen2kvm.plan;

import java.util.List;
import org.xen2kvm.plan.DeviceMap;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.kvm.TargetDomain;

/**
 * Everything a conversion will do, decided up front.
 *
 * @param bootNote    why this boot strategy was chosen, for the plan printout
 * @param warnings    everything the user should know, device notes included
 * @param deviceNotes the lines of {@code warnings} that say which device model each disk and
 *                    NIC got ({@link DeviceModelChoice}); replaced when the choice is made again
 */
public record ConversionPlan(
        SourceGuest source,
        DeviceMap deviceMap,
        TargetDomain target,
        List<DiskCopy> copies,
        BootStrategy boot,
        String bootNote,
        List<String> warnings,
        List<String> deviceNotes) {

    public ConversionPlan {
        copies = List.copyOf(copies);
        warnings = List.copyOf(warnings);
        deviceNotes = List.copyOf(deviceNotes);
    }

    public ConversionPlan withTarget(TargetDomain t, BootStrategy b, String note, List<String> moreWarnings) {
        java.util.List<String> w = new java.util.ArrayList<>(warnings);
        w.addAll(moreWarnings);
        return new ConversionPlan(source, deviceMap, t, copies, b, note, w, deviceNotes);
    }

    /** A copy with devices chosen again: the old device notes give way to {@code notes}. */
    public ConversionPlan withDevices(DeviceMap map, TargetDomain t, List<DiskCopy> newCopies, List<String> notes) {
        java.util.List<String> w = new java.util.ArrayList<>(warnings);
        int at = w.size();
        for (String n : deviceNotes) {
            int i = w.indexOf(n);
            if (i >= 0) {
                at = Math.min(at, i);
                w.remove(i);
            }
        }
        w.addAll(Math.min(at, w.size()), notes);
        return new ConversionPlan(source, map, t, newCopies, boot, bootNote, w, notes);
    }
}
