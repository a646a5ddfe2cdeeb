package org.xen2kvm.config;

import java.util.Locale;
import java.util.regex.Pattern;

/** UUIDs as Xen tools write them: dashed (xl, libvirt) or 32 bare hex digits (xend SXP). */
public final class Uuids {
    private static final Pattern HEX32 = Pattern.compile("[0-9a-fA-F]{32}");

    private Uuids() {
    }

    /**
     * The lower-case dashed 8-4-4-4-12 form of a UUID written either way, or null when the text
     * is not a UUID (the caller keeps the original and warns).
     */
    public static String canonical(String text) {
        if (text == null) {
            return null;
        }
        String hex = text.strip().replace("-", "");
        if (!HEX32.matcher(hex).matches()) {
            return null;
        }
        hex = hex.toLowerCase(Locale.ROOT);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }
}
