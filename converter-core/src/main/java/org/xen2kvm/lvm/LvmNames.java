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

    /** True for a path of the form {@code /dev/VG/LV} (two names below /dev, not /dev/disk/...). */
    public static boolean isDevPath(String path) {
        if (!path.startsWith("/dev/")) {
            return false;
        }
        String[] parts = path.substring(5).split("/", -1);
        return parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()
                && !parts[0].equals("disk") && !parts[0].equals("mapper");
    }

    /**
     * {@code /dev/VG/LV} for either name of an LV ({@code /dev/mapper/VG-LV} is split at the one
     * '-' that is not doubled); any other path as it is.
     */
    public static String canonical(String path) {
        if (!path.startsWith("/dev/mapper/")) {
            return path;
        }
        String name = path.substring("/dev/mapper/".length());
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '-') {
                if (i + 1 < name.length() && name.charAt(i + 1) == '-') {
                    i++;
                    continue;
                }
                return devPath(name.substring(0, i).replace("--", "-"), name.substring(i + 1).replace("--", "-"));
            }
        }
        return path;
    }
}
