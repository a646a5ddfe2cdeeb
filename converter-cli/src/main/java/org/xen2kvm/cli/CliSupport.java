package org.xen2kvm.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xen2kvm.xen.ConfigFormat;
import picocli.CommandLine.ParameterException;

/** Option parsing shared by the subcommands. */
final class CliSupport {
    private CliSupport() {
    }

    static ConfigFormat configFormat(String name) {
        if (name == null) {
            return null;
        }
        return ConfigFormat.fromName(name).orElseThrow(() -> new IllegalArgumentException(
                "--format " + name + ": expected one of xl, xm, sxp, libvirt, xva"));
    }

    /** Parses repeated {@code FROM=TO} options. */
    static Map<String, String> pairs(String option, List<String> values) {
        Map<String, String> m = new LinkedHashMap<>();
        if (values != null) {
            for (String v : values) {
                int eq = v.indexOf('=');
                if (eq <= 0 || eq == v.length() - 1) {
                    throw new IllegalArgumentException(option + " " + v + ": expected XENBRIDGE=NAME, e.g. xenbr0=br0");
                }
                m.put(v.substring(0, eq), v.substring(eq + 1));
            }
        }
        return m;
    }
}
