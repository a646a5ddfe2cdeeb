package org.xen2kvm.lvm;

import java.io.IOException;
import java.util.List;
import org.xen2kvm.image.BlockDevice;

/**
 * What an LVM scan found: the volume groups (newest metadata of each), the PVs that belong to
 * no VG found, and warnings (damaged metadata copies passed over for a good one).
 */
public record LvmLayout(List<VolumeGroup> volumeGroups, List<PvLabel> orphanPhysicalVolumes, List<String> warnings) {
    public LvmLayout {
        volumeGroups = List.copyOf(volumeGroups);
        orphanPhysicalVolumes = List.copyOf(orphanPhysicalVolumes);
        warnings = List.copyOf(warnings);
    }

    /**
     * The LV named by a guest path, {@code /dev/VG/LV} or {@code /dev/mapper/VG-LV}, as a block
     * device.
     *
     * @throws UnsupportedLvmException when no LV has that name, the name is ambiguous, or the LV
     *                                 is not handled (named with the reason)
     */
    public BlockDevice open(String path) throws IOException {
        VolumeGroup match = null;
        String lvName = null;
        for (VolumeGroup vg : volumeGroups) {
            for (String lv : vg.logicalVolumes().keySet()) {
                if (path.equals(LvmNames.devPath(vg.name(), lv)) || path.equals(LvmNames.mapperPath(vg.name(), lv))) {
                    if (match != null) {
                        throw new UnsupportedLvmException(path + " names LVs in two VGs called " + vg.name()
                                + " (UUIDs " + match.uuid() + " and " + vg.uuid() + ")");
                    }
                    match = vg;
                    lvName = lv;
                }
            }
        }
        if (match == null) {
            throw new UnsupportedLvmException(path + " names no LV of the VGs found ("
                    + String.join(", ", volumeGroups.stream().map(VolumeGroup::name).toList()) + ")");
        }
        return match.openVolume(lvName);
    }
}
