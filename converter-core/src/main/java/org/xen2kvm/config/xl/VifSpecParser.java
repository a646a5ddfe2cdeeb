package org.xen2kvm.config.xl;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.xen2kvm.config.SpecException;
import org.xen2kvm.xen.SourceNic;

/**
 * Reads one VIFSPEC (fact sheet section 3): comma-separated {@code key=value} pairs, all
 * optional. Keys xen2kvm has no use for (vlan, mtu, backend, ...) are skipped, as xl does
 * with keys it does not know. Values are trimmed on both sides (xl keeps a trailing space,
 * which only ever comes from a typo).
 */
public final class VifSpecParser {
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

    private VifSpecParser() {
    }

    /**
     * Parses a VIFSPEC string.
     *
     * @throws SpecException for a malformed MAC or a parameter without {@code =}
     */
    public static SourceNic parse(String spec) {
        Map<String, String> kv = KeyValueSpec.parse(spec, "vif");
        return fromMap(kv);
    }

    /** Builds a NIC from already separated keys (also used for SXP {@code (vif ...)}). */
    public static SourceNic fromMap(Map<String, String> kv) {
        String mac = kv.get("mac");
        if (mac != null) {
            if (!MAC.matcher(mac).matches()) {
                throw new SpecException("malformed MAC address", mac, "six hex byte pairs such as 00:16:3e:01:02:03");
            }
            mac = mac.toLowerCase(Locale.ROOT);
        }
        return new SourceNic(mac, kv.get("bridge"), kv.get("model"), kv.get("type"), kv.get("ip"),
                kv.get("script"), kv.get("vifname"), kv.get("rate"));
    }
}
