package org.xen2kvm.config.sxp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xen2kvm.config.ConfigParseException;
import org.xen2kvm.config.SpecException;
import org.xen2kvm.config.Uuids;
import org.xen2kvm.config.xl.DiskSpecParser;
import org.xen2kvm.config.xl.VifSpecParser;
import org.xen2kvm.config.xl.DisplayKeys;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.VirtType;

/** Maps a xend {@code (domain ...)} or {@code (vm ...)} S-expression onto {@link SourceGuest}. */
public final class SxpReader {
    private static final long MAX_MIB = 1L << 40;
    private static final String EXPECTED_ROOT = "one (domain ...) or (vm ...) expression";

    private SxpReader() {
    }

    /**
     * Parses and maps an SXP file.
     *
     * @throws ConfigParseException for bad syntax, a file that is not one domain, or bad values
     */
    public static SourceGuest read(String file, String text) {
        SxpParser.Result parsed = SxpParser.parse(file, text);
        List<SxpNode> nodes = parsed.nodes();
        if (nodes.isEmpty()) {
            throw new ConfigParseException(file, 1, 1, "no S-expression in the file", "", EXPECTED_ROOT);
        }
        SxpNode first = nodes.get(0);
        if (!(first instanceof SxpNode.ListNode root) || !("domain".equals(root.tag()) || "vm".equals(root.tag()))) {
            String shown = first instanceof SxpNode.ListNode l ? "(" + l.tag() : ((SxpNode.Atom) first).text();
            throw new ConfigParseException(file, first.line(), first.column(),
                    "not a xend domain S-expression", shown, EXPECTED_ROOT);
        }
        if (nodes.size() > 1) {
            SxpNode extra = nodes.get(1);
            throw new ConfigParseException(file, extra.line(), extra.column(),
                    "more than one top-level expression", extra instanceof SxpNode.Atom a ? a.text() : "(",
                    EXPECTED_ROOT);
        }
        SourceGuest.Builder b = SourceGuest.builder(ConfigFormat.SXP, file);
        if (parsed.lineWrapsRemoved()) {
            b.warnings.add(file + ": backslash-newline line wraps removed (not part of SXP; libvirt's test files use them)");
        }
        map(file, root, b);
        return b.build();
    }

    private static void map(String file, SxpNode.ListNode root, SourceGuest.Builder b) {
        b.name = root.value("name");
        String uuid = root.value("uuid");
        if (uuid != null) {
            b.uuid = Uuids.canonical(uuid);
            if (b.uuid == null) {
                b.uuid = uuid;
                b.warnings.add(file + ": uuid '" + uuid + "' is not a UUID; kept as written");
            }
        }
        b.memoryMiB = number(file, root, "memory", MAX_MIB);
        b.maxMemoryMiB = number(file, root, "maxmem", MAX_MIB);
        b.vcpus = toInt(number(file, root, "vcpus", 65536));
        b.onPoweroff = root.value("on_poweroff");
        b.onReboot = root.value("on_reboot");
        b.onCrash = root.value("on_crash");
        b.bootloader = emptyToNull(root.value("bootloader"));
        b.bootloaderArgs = emptyToNull(root.value("bootloader_args"));
        b.cpus = emptyToNull(root.value("cpus"));
        b.cpuWeight = toInt(number(file, root, "cpu_weight", 65535));
        b.localtime = bool(root.value("localtime"));

        SxpNode.ListNode image = root.child("image").orElse(null);
        SxpNode.ListNode kind = null;
        if (image != null) {
            kind = image.child("hvm").orElse(image.child("linux").orElse(null));
        }
        b.virtType = kind != null && "hvm".equals(kind.tag()) ? VirtType.HVM : VirtType.PV;
        if (kind != null) {
            b.kernel = emptyToNull(kind.value("kernel"));
            if (b.virtType == VirtType.HVM && b.kernel != null && b.kernel.contains("hvmloader")) {
                b.kernel = null;
            }
            b.ramdisk = emptyToNull(kind.value("ramdisk"));
            String args = kind.value("args");
            b.cmdline = args == null ? null : args.strip();
            b.root = emptyToNull(kind.value("root"));
            b.bootOrder = kind.value("boot");
            b.acpi = bool(kind.value("acpi"));
            b.apic = bool(kind.value("apic"));
            b.pae = bool(kind.value("pae"));
            if (kind.value("localtime") != null) {
                b.localtime = bool(kind.value("localtime"));
            }
            String serial = kind.value("serial");
            if (serial != null) {
                b.serials.add(serial);
            }
        }
        if (b.cmdline != null && b.root != null && !b.cmdline.contains("root=")) {
            b.cmdline = "root=" + b.root + (b.cmdline.isEmpty() ? "" : " " + b.cmdline);
        }
        for (SxpNode.ListNode device : root.children("device")) {
            for (SxpNode item : device.items().subList(1, device.items().size())) {
                if (item instanceof SxpNode.ListNode d) {
                    device(file, d, b);
                }
            }
        }
        if (b.graphics.isEmpty() && kind != null) {
            SxpNode.ListNode k = kind;
            DisplayKeys.read(k::value, b.graphics);
        }
    }

    private static void device(String file, SxpNode.ListNode d, SourceGuest.Builder b) {
        String tag = d.tag() == null ? "" : d.tag();
        try {
            switch (tag) {
                case "vbd", "tap", "tap2" -> b.disks.add(DiskSpecParser.fromLegacyFields(d.value("uname"),
                        d.value("dev"), d.value("mode")));
                case "vif" -> b.nics.add(VifSpecParser.fromMap(pairs(d)));
                case "vfb" -> {
                    Map<String, String> kv = pairs(d);
                    DisplayKeys.read(kv::get, b.graphics);
                }
                case "pci" -> {
                    for (SxpNode.ListNode dev : d.children("dev")) {
                        b.pciDevices.add(pciAddress(dev));
                    }
                }
                default -> { }
            }
        } catch (SpecException e) {
            throw new ConfigParseException(file, d.line(), d.column(), "bad (" + tag + " ...) device: "
                    + e.problem(), e.offending(), e.expected());
        }
    }

    private static String pciAddress(SxpNode.ListNode dev) {
        return hex(dev.value("domain"), 4) + ":" + hex(dev.value("bus"), 2) + ":" + hex(dev.value("slot"), 2)
                + "." + hex(dev.value("func"), 1);
    }

    private static String hex(String v, int width) {
        if (v == null) {
            throw new SpecException("PCI address part missing", "(dev ...)", "(domain ..)(bus ..)(slot ..)(func ..)");
        }
        String t = v.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("0x")) {
            t = t.substring(2);
        }
        if (t.isEmpty() || !t.chars().allMatch(ch -> Character.digit(ch, 16) >= 0) || t.length() > 8) {
            throw new SpecException("PCI address part is not hex", v, "a hex number such as 0x1b");
        }
        long n = Long.parseLong(t, 16);
        return String.format("%0" + width + "x", n);
    }

    /** {@code (vif (mac ..)(bridge ..))} as a key map, keys lower-cased. */
    private static Map<String, String> pairs(SxpNode.ListNode d) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (SxpNode n : d.items().subList(1, d.items().size())) {
            if (n instanceof SxpNode.ListNode l && l.tag() != null && l.firstValue() != null) {
                kv.put(l.tag().toLowerCase(Locale.ROOT), l.firstValue());
            }
        }
        return kv;
    }

    private static Long number(String file, SxpNode.ListNode root, String key, long max) {
        SxpNode.ListNode n = root.child(key).orElse(null);
        if (n == null || n.firstValue() == null) {
            return null;
        }
        String t = n.firstValue().strip();
        try {
            // xend wrote some numbers from Python floats ("1.0"); a zero fraction is accepted.
            String whole = t.matches("[0-9]+\\.0+") ? t.substring(0, t.indexOf('.')) : t;
            long v = Long.parseLong(whole);
            if (v < 0 || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigParseException(file, n.line(), n.column(), "(" + key + " ...) is not a valid number",
                    t, "a whole number from 0 to " + max);
        }
    }

    private static Integer toInt(Long v) {
        return v == null ? null : Math.toIntExact(v);
    }

    private static Boolean bool(String v) {
        if (v == null) {
            return null;
        }
        String t = v.strip().toLowerCase(Locale.ROOT);
        return !(t.equals("0") || t.equals("false") || t.isEmpty());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
