package org.xen2kvm.lvm;

import java.util.List;
import org.xen2kvm.image.BlockDevice;

/**
 * A PV label found on a device: the sector it is in, the PV UUID (32 characters, no hyphens),
 * the device size recorded by lvm2, and the data and metadata areas.
 */
public record PvLabel(BlockDevice device, long sector, String pvUuid, long deviceSize, List<DiskArea> dataAreas,
        List<DiskArea> metadataAreas) {
    public PvLabel {
        dataAreas = List.copyOf(dataAreas);
        metadataAreas = List.copyOf(metadataAreas);
    }
}
