package org.xen2kvm.config.xl;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.xen2kvm.config.SpecException;

/** Splits {@code key=value,key=value} spec strings (vif, vfb, pci options) into a map. */
final class KeyValueSpec {
    private KeyValueSpec() {
    }

    /**
     * Splits a spec; empty pieces ({@code ''}, {@code a=1,,b=2}) are skipped; a repeated key
     * keeps its last value as xl does.
     *
     * @throws SpecException for a piece with an empty key
     */
    static Map<String, String> parse(String spec, String what) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String piece : spec.split(",", -1)) {
            String p = piece.strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                // A bare flag such as 'trusted': recorded with an empty value.
                out.put(p.toLowerCase(Locale.ROOT), "");
                continue;
            }
            if (eq == 0) {
                throw new SpecException("parameter without '=' in " + what + " spec", p, "key=value");
            }
            out.put(p.substring(0, eq).strip().toLowerCase(Locale.ROOT), p.substring(eq + 1).strip());
        }
        return out;
    }
}
