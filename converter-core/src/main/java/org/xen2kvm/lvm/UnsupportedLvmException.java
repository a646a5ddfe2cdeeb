package org.xen2kvm.lvm;

import java.io.IOException;

/**
 * A volume group or logical volume uses something this reader does not handle (thin, snapshot,
 * RAID, cache, VDO, a missing PV). The message names the VG, the LV and the reason.
 */
public class UnsupportedLvmException extends IOException {
    public UnsupportedLvmException(String message) {
        super(message);
    }
}
