package org.xen2kvm.lvm;

/** The device names a guest uses for an LV: {@code /dev/VG/LV} and {@code /dev/mapper/VG-LV}. */
public final class LvmNames {
    private LvmNames() {
    }

    public static String devPath(String vg, String lv) {
        return "/dev/" + vg + "/" + lv;
    }

    /** Device-mapper's name: VG and LV joined by '-', each '-' inside a name doubled. */
    public static String mapperPath(String vg, String lv) {
        return "/dev/mapper/" + vg.replace("-", "--") + "-" + lv.replace("-", "--");
    }
}
