package org.xen2kvm.lvm;

import java.util.List;
import java.util.Optional;
import org.xen2kvm.image.BlockDevice;

/**
 * A PV as the VG metadata describes it: its name in the metadata ({@code pv0}), UUID (with
 * hyphens, as lvm2 prints it), the device path lvm2 last saw, where the extents start and how
 * many there are, in bytes and extents; and the device it was found on, empty when missing.
 */
public record PhysicalVolume(String name, String uuid, String devicePathHint, List<String> status, long peStartBytes,
        long peCount, Optional<BlockDevice> device) {
    public PhysicalVolume {
        status = List.copyOf(status);
    }

    /** The UUID without hyphens, as in the PV label. */
    public String labelUuid() {
        return uuid.replace("-", "");
    }
}
