package org.xen2kvm.config.xl;

import java.util.List;
import java.util.function.Function;
import org.xen2kvm.xen.SourceGraphics;

/**
 * The display keys shared by xl's top level, xl/xm {@code vfb} specs and xend SXP
 * (fact sheet section 4.4): {@code vnc}, {@code vnclisten}, {@code vncdisplay},
 * {@code vncunused}, {@code vncpasswd}, {@code keymap}, {@code sdl}, {@code spice*}, and the
 * xm-era {@code type=vnc|sdl}.
 */
public final class DisplayKeys {
    /** VNC display N listens on TCP port 5900 + N [xl.cfg vncdisplay]. */
    static final int VNC_BASE_PORT = 5900;

    private DisplayKeys() {
    }

    /** Reads vnc/sdl/spice keys through a lookup, either of a vfb spec or of the top level. */
    public static void read(Function<String, String> get, List<SourceGraphics> out) {
        String type = get.apply("type");
        boolean vnc = isOn(get.apply("vnc")) || "vnc".equalsIgnoreCase(type);
        boolean sdl = isOn(get.apply("sdl")) || "sdl".equalsIgnoreCase(type);
        boolean spice = isOn(get.apply("spice")) || "spice".equalsIgnoreCase(type);
        if (vnc) {
            String listen = get.apply("vnclisten");
            Integer port = null;
            String display = get.apply("vncdisplay");
            if (listen != null && listen.lastIndexOf(':') > 0 && listen.indexOf(':') == listen.lastIndexOf(':')) {
                display = display == null ? listen.substring(listen.indexOf(':') + 1) : display;
                listen = listen.substring(0, listen.indexOf(':'));
            }
            boolean unused = get.apply("vncunused") == null ? display == null : isOn(get.apply("vncunused"));
            if (!unused && display != null) {
                Long d = XlSettings.parseInteger(display.strip());
                if (d != null && d >= 0 && d < 65536 - VNC_BASE_PORT) {
                    port = VNC_BASE_PORT + d.intValue();
                }
            }
            String pw = get.apply("vncpasswd");
            out.add(new SourceGraphics("vnc", emptyToNull(listen), port, emptyToNull(pw),
                    emptyToNull(get.apply("keymap"))));
        }
        if (sdl) {
            out.add(new SourceGraphics("sdl", null, null, null, emptyToNull(get.apply("keymap"))));
        }
        if (spice) {
            Integer port = null;
            String p = get.apply("spiceport");
            if (p != null) {
                Long v = XlSettings.parseInteger(p.strip());
                if (v != null && v > 0 && v < 65536) {
                    port = v.intValue();
                }
            }
            out.add(new SourceGraphics("spice", emptyToNull(get.apply("spicehost")), port,
                    emptyToNull(get.apply("spicepasswd")), emptyToNull(get.apply("keymap"))));
        }
    }

    static boolean isOn(String v) {
        if (v == null) {
            return false;
        }
        Long n = XlSettings.parseInteger(v.strip());
        return n != null ? n != 0 : v.strip().equalsIgnoreCase("true") || v.strip().equalsIgnoreCase("yes");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
