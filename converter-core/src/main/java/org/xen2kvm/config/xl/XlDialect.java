package org.xen2kvm.config.xl;

import java.util.Locale;
import org.xen2kvm.xen.ConfigFormat;

/**
 * Tells xl files from xm files by the signs listed in fact sheet section 0. Most files fit
 * both; with no sign either way the file is taken as xl, the only toolstack since Xen 4.5.
 * Signs of xl win over signs of xm, since xl still accepts most xm leftovers.
 */
public final class XlDialect {
    private XlDialect() {
    }

    public static ConfigFormat detect(XlFile file) {
        XlSettings s = new XlSettings(file);
        if (xlSigns(file, s)) {
            return ConfigFormat.XL;
        }
        if (xmSigns(file, s)) {
            return ConfigFormat.XM;
        }
        return ConfigFormat.XL;
    }

    private static boolean xlSigns(XlFile file, XlSettings s) {
        if (file.xlOnlySyntax() || s.has("type") || s.has("device_model_version")) {
            return true;
        }
        for (XlValue.Atom a : safeAtoms(s, "disk")) {
            String d = a.text().toLowerCase(Locale.ROOT);
            if (d.contains("target=") || d.contains("vdev=")) {
                return true;
            }
        }
        return false;
    }

    private static boolean xmSigns(XlFile file, XlSettings s) {
        if (file.xmOnlySyntax() || s.has("builder") || s.has("device_model") || s.has("vncconsole")) {
            return true;
        }
        XlSetting kernel = s.setting("kernel");
        if (kernel != null && kernel.value() instanceof XlValue.Atom a && a.text().endsWith("hvmloader")) {
            return true;
        }
        for (XlValue.Atom a : safeAtoms(s, "disk")) {
            String d = a.text().toLowerCase(Locale.ROOT);
            if (d.contains("ioemu:") || d.contains("w!")) {
                return true;
            }
        }
        return false;
    }

    /** Detection must not fail on a malformed disk list; the mapper reports that properly. */
    private static java.util.List<XlValue.Atom> safeAtoms(XlSettings s, String key) {
        try {
            return s.atoms(key);
        } catch (RuntimeException e) {
            return java.util.List.of();
        }
    }
}
