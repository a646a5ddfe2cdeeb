package org.xen2kvm.convert;

/** Temporary minimal version; replaced by the guest-edits implementation at merge. */
public final class KernelCmdline {
    private KernelCmdline() {
    }

    public static String convert(String xenCmdline, DeviceMap map) {
        String s = map.translateAll(xenCmdline).replaceAll("console=(hvc|xvc)0", "console=ttyS0");
        if (!s.contains("console=ttyS0")) {
            s = (s + " console=ttyS0").trim();
        }
        return s;
    }
}
