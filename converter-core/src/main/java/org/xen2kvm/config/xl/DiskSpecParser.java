package org.xen2kvm.config.xl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.xen2kvm.config.SpecException;
import org.xen2kvm.image.DiskFormat;
import org.xen2kvm.xen.SourceDisk;

/**
 * Reads one DISKSPEC (fact sheet section 2), both xl's form ({@code target,format,vdev,access}
 * positionally or as {@code key=value}, bare flags) and the legacy xm form
 * ({@code prefix:target,vdev[:cdrom],access}).
 *
 * <p>Decisions: an xl-form disk without {@code format=} is recorded as raw and declared,
 * because raw is xl's documented default; a legacy disk without any prefix is a block device
 * driven by {@code phy}, as libvirt's xm reader assumes.
 */
public final class DiskSpecParser {
    private static final Set<String> FLAGS = Set.of("cdrom", "direct-io-safe", "discard", "no-discard",
            "trusted", "untrusted", "colo", "no-colo");
    private static final Set<String> IGNORED_KEYS = Set.of("backend", "script", "specification",
            "grant_usage", "colo-host", "colo-port", "colo-export", "active-disk", "hidden-disk");
    private static final Set<String> SCRIPT_PREFIXES = Set.of("iscsi", "nbd", "enbd", "drbd");
    private static final String POSITIONAL_EXPECTED = "at most four positional values: target, format, vdev, access";

    private DiskSpecParser() {
    }

    /**
     * Parses a DISKSPEC string.
     *
     * @throws SpecException when a parameter is unknown, repeated or has a bad value
     */
    public static SourceDisk parse(String spec) {
        List<String> params = split(spec);
        Fields f = new Fields();
        List<String> positional = new ArrayList<>();
        for (String p : params) {
            int eq = p.indexOf('=');
            String lower = p.toLowerCase(Locale.ROOT);
            if (FLAGS.contains(lower)) {
                if (lower.equals("cdrom")) {
                    f.cdrom = true;
                }
            } else if (eq > 0) {
                keyValue(f, p.substring(0, eq).strip().toLowerCase(Locale.ROOT), p.substring(eq + 1), p);
                f.keyForm = true;
            } else {
                positional.add(p);
            }
        }
        boolean legacy = applyPositional(f, positional, spec);
        return finish(f, legacy);
    }

    /**
     * Builds a disk from xend's three separate fields (SXP {@code (uname ..)(dev ..)(mode ..)}),
     * which need no comma splitting.
     */
    public static SourceDisk fromLegacyFields(String uname, String dev, String mode) {
        Fields f = new Fields();
        legacyTarget(f, uname == null ? "" : uname);
        f.vdev = dev == null ? null : dev.strip();
        if (mode != null && !mode.isBlank()) {
            set(f, "access", mode.strip());
        }
        return finish(f, true);
    }

    /** Splits on commas; {@code target=} swallows the rest of the string, commas included. */
    private static List<String> split(String spec) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i <= spec.length()) {
            int start = i;
            while (start < spec.length() && Character.isWhitespace(spec.charAt(start))) {
                start++;
            }
            if (spec.regionMatches(true, start, "target=", 0, 7)) {
                out.add(spec.substring(start).stripTrailing());
                break;
            }
            int comma = spec.indexOf(',', start);
            int end = comma < 0 ? spec.length() : comma;
            out.add(spec.substring(start, end).stripTrailing());
            if (comma < 0) {
                break;
            }
            i = comma + 1;
        }
        return out;
    }

    private static void keyValue(Fields f, String key, String value, String param) {
        switch (key) {
            case "target" -> {
                once(f.target != null, key, param);
                f.target = value;
            }
            case "format", "vdev", "access" -> set(f, key, value.strip());
            case "devtype" -> {
                String v = value.strip().toLowerCase(Locale.ROOT);
                if (v.equals("cdrom")) {
                    f.cdrom = true;
                } else if (!v.equals("disk")) {
                    throw new SpecException("unknown devtype", param, "devtype=cdrom or devtype=disk");
                }
            }
            case "backendtype" -> {
                String v = value.strip().toLowerCase(Locale.ROOT);
                if (!Set.of("phy", "qdisk", "tap", "standalone").contains(v)) {
                    throw new SpecException("unknown backendtype", param,
                            "backendtype=phy, qdisk, tap or standalone");
                }
                f.driver = v;
                f.blockDevice = v.equals("phy");
            }
            default -> {
                if (!IGNORED_KEYS.contains(key)) {
                    throw new SpecException("unknown disk parameter '" + key + "'", param,
                            "target, format, vdev, access, devtype, backendtype, backend, script or a flag");
                }
            }
        }
    }

    private static void set(Fields f, String key, String value) {
        switch (key) {
            case "format" -> {
                once(f.formatText != null, key, value);
                if (!value.isEmpty()) {
                    f.formatText = value;
                }
            }
            case "vdev" -> {
                once(f.vdev != null, key, value);
                f.vdev = value.isEmpty() ? null : value;
            }
            case "access" -> {
                once(f.access != null, key, value);
                if (!value.isEmpty()) {
                    f.access = value;
                }
            }
            default -> throw new IllegalStateException(key);
        }
    }

    private static void once(boolean already, String key, String param) {
        if (already) {
            throw new SpecException("disk parameter '" + key + "' given twice", param, "each parameter once");
        }
    }

    /** Fills target/format/vdev/access from positional values; returns true for the xm form. */
    private static boolean applyPositional(Fields f, List<String> positional, String spec) {
        if (positional.isEmpty()) {
            return false;
        }
        boolean legacy;
        int next = 0;
        if (f.target == null) {
            String target = positional.get(0);
            legacy = legacyTarget(f, target);
            next = 1;
        } else {
            legacy = false;
        }
        List<String> rest = positional.subList(next, positional.size());
        if (!legacy && !f.keyForm && next == 1 && rest.size() == 2
                && !rest.get(0).isEmpty() && DiskFormat.fromName(rest.get(0)).isEmpty()) {
            // "/dev/sda8,hda,w": no format field, so this is the xm form without a prefix.
            legacy = true;
        }
        if (!legacy && !rest.isEmpty() && rest.get(0).contains(":")) {
            legacy = true;
        }
        String[] slots = legacy ? new String[] {"vdev", "access"} : new String[] {"format", "vdev", "access"};
        int slot = 0;
        for (String value : rest) {
            while (slot < slots.length && filled(f, slots[slot])) {
                slot++;
            }
            if (slot >= slots.length && value.isEmpty()) {
                continue;
            }
            if (slot >= slots.length) {
                throw new SpecException("too many positional values in disk spec", value, POSITIONAL_EXPECTED);
            }
            set(f, slots[slot], value);
            slot++;
        }
        if (legacy && f.driver == null && !f.prefixSeen) {
            f.driver = "phy";
            f.blockDevice = true;
            f.prefixFormat = DiskFormat.RAW;
        }
        return legacy;
    }

    private static boolean filled(Fields f, String slot) {
        return switch (slot) {
            case "format" -> f.formatText != null;
            case "vdev" -> f.vdev != null;
            case "access" -> f.access != null;
            default -> false;
        };
    }

    /**
     * Strips legacy prefixes ({@code phy:}, {@code tap:aio:}, {@code tap2:tapdisk:vhd:}, ...)
     * from a target and records the driver and format they declare.
     *
     * @return true when at least one prefix was found
     */
    private static boolean legacyTarget(Fields f, String target) {
        String rest = target;
        while (true) {
            int colon = rest.indexOf(':');
            if (colon <= 0) {
                break;
            }
            String word = rest.substring(0, colon).toLowerCase(Locale.ROOT);
            if (!word.chars().allMatch(Character::isLetterOrDigit)) {
                break;
            }
            boolean known = true;
            switch (word) {
                case "phy" -> {
                    f.driver = "phy";
                    f.blockDevice = true;
                    f.prefixFormat = DiskFormat.RAW;
                }
                case "file" -> {
                    f.driver = "file";
                    f.prefixFormat = DiskFormat.RAW;
                }
                case "tap", "tap2" -> f.driver = word;
                case "tapdisk", "ioemu" -> { }
                case "aio", "raw" -> f.prefixFormat = DiskFormat.RAW;
                case "qcow", "qcow2", "vhd", "qed" -> f.prefixFormat = DiskFormat.fromName(word).orElseThrow();
                default -> {
                    if (SCRIPT_PREFIXES.contains(word)) {
                        f.driver = word;
                    } else {
                        known = false;
                    }
                }
            }
            if (!known) {
                char after = colon + 1 < rest.length() ? rest.charAt(colon + 1) : '\0';
                if (!Character.isLetterOrDigit(after) && !f.prefixSeen) {
                    throw new SpecException("unknown deprecated disk prefix '" + word + ":'", target,
                            "phy:, file:, tap:, tap2:, aio:, raw:, qcow:, qcow2:, vhd:, iscsi:, nbd:, enbd:, drbd:");
                }
                break;
            }
            f.prefixSeen = true;
            rest = rest.substring(colon + 1);
        }
        f.target = rest;
        return f.prefixSeen;
    }

    private static SourceDisk finish(Fields f, boolean legacy) {
        String vdev = f.vdev;
        if (vdev != null) {
            String lower = vdev.toLowerCase(Locale.ROOT);
            if (lower.startsWith("ioemu:")) {
                vdev = vdev.substring(6);
                lower = lower.substring(6);
            }
            if (lower.endsWith(":cdrom")) {
                f.cdrom = true;
                vdev = vdev.substring(0, vdev.length() - 6);
            } else if (lower.endsWith(":disk")) {
                vdev = vdev.substring(0, vdev.length() - 5);
            }
        }
        if (vdev == null || vdev.isEmpty()) {
            throw new SpecException("disk spec has no vdev", f.target == null ? "" : f.target,
                    "a guest device name such as xvda or hdc");
        }
        boolean readOnly = f.cdrom;
        boolean shareable = false;
        if (f.access != null) {
            switch (f.access.toLowerCase(Locale.ROOT)) {
                case "r", "ro" -> readOnly = true;
                case "w", "rw" -> readOnly = false;
                case "w!", "!" -> shareable = true;
                default -> throw new SpecException("unknown disk access mode", f.access, "r, ro, w, rw or w!");
            }
        }
        DiskFormat format;
        boolean declared;
        if (f.formatText != null) {
            Optional<DiskFormat> parsed = DiskFormat.fromName(f.formatText);
            if (parsed.isEmpty() || parsed.get() == DiskFormat.XVA) {
                throw new SpecException("unknown disk format", f.formatText, "raw, qcow, qcow2, vhd or qed");
            }
            format = parsed.get();
            declared = true;
        } else if (f.prefixFormat != null) {
            format = f.prefixFormat;
            declared = true;
        } else if (!legacy) {
            format = DiskFormat.RAW;
            declared = true;
        } else {
            format = null;
            declared = false;
        }
        String path = f.target == null ? null : f.target.strip();
        if (path != null && path.isEmpty()) {
            path = null;
        }
        boolean scriptTarget = f.driver != null && SCRIPT_PREFIXES.contains(f.driver);
        if (path != null && !scriptTarget && path.matches("[A-Za-z0-9._-]+")) {
            // xl and xend both take a bare name as a device under /dev [xl-disk target].
            path = "/dev/" + path;
        }
        if (path == null) {
            // An empty CD-ROM drive has no image, so no format either.
            format = null;
            declared = false;
        }
        return new SourceDisk(path, format, declared, vdev, readOnly, f.cdrom, shareable, f.driver,
                f.blockDevice);
    }

    private static final class Fields {
        String target;
        String formatText;
        String vdev;
        String access;
        boolean cdrom;
        String driver;
        boolean blockDevice;
        boolean keyForm;
        boolean prefixSeen;
        DiskFormat prefixFormat;
    }
}
