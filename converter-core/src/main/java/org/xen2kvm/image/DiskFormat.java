package org.xen2kvm.image;

import java.util.Locale;
import java.util.Optional;

/** Image formats a Xen disk may be stored in. */
public enum DiskFormat {
    RAW, QCOW, QCOW2, VHD, QED, VMDK, XVA;

    /** The lower-case name used by xl, qemu-img and the JSON reports. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a format name as xl, libvirt or qemu-img write it ({@code aio} and {@code vpc} included). */
    public static Optional<DiskFormat> fromName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        switch (name.toLowerCase(Locale.ROOT)) {
            case "raw": case "aio": case "file": case "phy": return Optional.of(RAW);
            case "qcow": return Optional.of(QCOW);
            case "qcow2": return Optional.of(QCOW2);
            case "vhd": case "vpc": return Optional.of(VHD);
            case "qed": return Optional.of(QED);
            case "vmdk": return Optional.of(VMDK);
            case "xva": return Optional.of(XVA);
            default: return Optional.empty();
        }
    }
}
