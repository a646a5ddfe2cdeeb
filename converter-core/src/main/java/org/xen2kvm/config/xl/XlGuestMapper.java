package org.xen2kvm.config.xl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xen2kvm.config.ConfigParseException;
import org.xen2kvm.config.NearestKey;
import org.xen2kvm.config.SpecException;
import org.xen2kvm.config.Uuids;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.VirtType;

/**
 * Maps the settings of an xl/xm file onto {@link SourceGuest} (fact sheet section 4), with
 * xl's meaning of each key where xl and xm differ.
 */
public final class XlGuestMapper {
    private static final long MAX_MIB = 1L << 40;
    private static final int MAX_VCPUS = 65536;

    private XlGuestMapper() {
    }

    /**
     * Builds the guest.
     *
     * @param origin {@link ConfigFormat#XL} or {@link ConfigFormat#XM}
     * @throws ConfigParseException for a value of the wrong kind or a malformed device spec
     */
    public static SourceGuest map(XlFile file, ConfigFormat origin) {
        XlSettings s = new XlSettings(file);
        SourceGuest.Builder b = SourceGuest.builder(origin, file.fileName());
        b.warnings.addAll(file.warnings());
        String where = file.fileName();
        unknownKeys(file, b.warnings);

        b.name = s.string("name");
        if (b.name == null) {
            b.warnings.add(where + ": no 'name' key; the guest has no name");
        }
        String uuid = s.string("uuid");
        if (uuid != null) {
            b.uuid = Uuids.canonical(uuid);
            if (b.uuid == null) {
                b.uuid = uuid;
                b.warnings.add(where + ":" + s.setting("uuid").line() + ": uuid '" + uuid
                        + "' is not a UUID; kept as written");
            }
        }
        b.virtType = virtType(s, b.warnings, where);
        b.memoryMiB = s.number("memory", 0, MAX_MIB);
        b.maxMemoryMiB = s.number("maxmem", 0, MAX_MIB);
        b.vcpus = s.integer("vcpus", 0, MAX_VCPUS);
        b.maxVcpus = s.integer("maxvcpus", 0, MAX_VCPUS);

        b.kernel = s.string("kernel");
        if (b.kernel != null && b.virtType == VirtType.HVM && b.kernel.contains("hvmloader")) {
            b.warnings.add(where + ":" + s.setting("kernel").line() + ": kernel '" + b.kernel
                    + "' is xm's HVM firmware loader, not a guest kernel; ignored as xl does");
            b.kernel = null;
        }
        b.ramdisk = s.string("ramdisk");
        if (s.has("initrd")) {
            b.warnings.add(where + ":" + s.setting("initrd").line()
                    + ": 'initrd' is not a Xen key (xl reads 'ramdisk'); ignored");
        }
        b.cmdline = s.string("cmdline");
        b.root = s.string("root");
        b.extra = s.string("extra");
        b.bootloader = s.string("bootloader");
        if (s.has("bootloader_args")) {
            List<String> args = new ArrayList<>();
            s.atoms("bootloader_args").forEach(a -> args.add(a.text()));
            b.bootloaderArgs = String.join(" ", args);
        } else {
            b.bootloaderArgs = s.string("bootargs");
        }
        b.onPoweroff = s.string("on_poweroff");
        b.onReboot = s.string("on_reboot");
        b.onCrash = s.string("on_crash");
        b.bootOrder = s.string("boot");
        b.acpi = s.bool("acpi");
        b.apic = s.bool("apic");
        b.pae = s.bool("pae");
        b.localtime = s.bool("localtime");
        b.cpus = s.rendered("cpus");
        b.cpuWeight = s.integer("cpu_weight", 1, 65535);

        for (XlValue.Atom a : s.atoms("disk")) {
            try {
                b.disks.add(DiskSpecParser.parse(a.text()));
            } catch (SpecException e) {
                throw specError(file, a, "disk", e);
            }
        }
        for (XlValue.Atom a : s.atoms("vif")) {
            try {
                b.nics.add(VifSpecParser.parse(a.text()));
            } catch (SpecException e) {
                throw specError(file, a, "vif", e);
            }
        }
        graphics(file, s, b);
        s.atoms("serial").forEach(a -> b.serials.add(a.text()));
        s.atoms("pci").forEach(a -> b.pciDevices.add(a.text()));
        return b.build();
    }

    /**
     * A key neither read nor knowingly ignored is most likely a typo ({@code memroy}), which
     * would otherwise vanish without a word: warn, naming the nearest known key if one is close.
     */
    private static void unknownKeys(XlFile file, List<String> warnings) {
        for (XlSetting setting : file.settings().values()) {
            String key = setting.key();
            if (XlKeys.isKnown(key)) {
                continue;
            }
            String hint = NearestKey.of(key, XlKeys.KNOWN).map(k -> "; did you mean '" + k + "'?").orElse("");
            warnings.add(file.fileName() + ":" + setting.line() + ": unknown key '" + key + "' ignored" + hint);
        }
    }

    private static VirtType virtType(XlSettings s, List<String> warnings, String where) {
        VirtType fromType = null;
        if (s.has("type")) {
            String t = s.string("type");
            fromType = byPrefix(t);
            if (fromType == null) {
                XlValue v = s.setting("type").value();
                throw s.error(v, "unknown guest type", t, "pv, pvh or hvm");
            }
        }
        VirtType fromBuilder = null;
        if (s.has("builder")) {
            String t = s.string("builder");
            fromBuilder = !t.isEmpty() && "hvm".startsWith(t.toLowerCase(Locale.ROOT)) ? VirtType.HVM : VirtType.PV;
        }
        if (fromType != null && fromBuilder != null && fromType != fromBuilder) {
            warnings.add(where + ":" + s.setting("builder").line() + ": builder = '" + s.string("builder")
                    + "' contradicts type = '" + s.string("type") + "'; using type (xl refuses such a file)");
        }
        if (fromType != null) {
            return fromType;
        }
        if (fromBuilder != null) {
            return fromBuilder;
        }
        if (s.has("pvh") && Boolean.TRUE.equals(s.bool("pvh"))) {
            warnings.add(where + ":" + s.setting("pvh").line() + ": 'pvh = 1' is the pre-4.10 PVH selector; reading the guest as PVH");
            return VirtType.PVH;
        }
        return VirtType.PV;
    }

    /** xl compares a type by prefix, so {@code "h"} means hvm [xl_parse.c]. */
    private static VirtType byPrefix(String t) {
        String v = t.strip().toLowerCase(Locale.ROOT);
        if (v.isEmpty()) {
            return null;
        }
        if ("hvm".startsWith(v)) {
            return VirtType.HVM;
        }
        if ("pv".startsWith(v)) {
            return VirtType.PV;
        }
        if ("pvh".startsWith(v)) {
            return VirtType.PVH;
        }
        return null;
    }

    /**
     * HVM guests take their display from top-level keys; PV guests from {@code vfb}, or from
     * the same top-level keys when there is no vfb (xl builds one from them).
     */
    private static void graphics(XlFile file, XlSettings s, SourceGuest.Builder b) {
        List<XlValue.Atom> vfbs = s.atoms("vfb");
        boolean useVfb = !vfbs.isEmpty() && (b.virtType != VirtType.HVM || !topLevelDisplay(s));
        if (useVfb) {
            for (XlValue.Atom a : vfbs) {
                try {
                    Map<String, String> kv = KeyValueSpec.parse(a.text(), "vfb");
                    DisplayKeys.read(kv::get, b.graphics);
                } catch (SpecException e) {
                    throw specError(file, a, "vfb", e);
                }
            }
        } else {
            DisplayKeys.read(key -> s.has(key) ? s.rendered(key) : null, b.graphics);
        }
    }

    private static boolean topLevelDisplay(XlSettings s) {
        return DisplayKeys.isOn(s.has("vnc") ? s.rendered("vnc") : null)
                || DisplayKeys.isOn(s.has("sdl") ? s.rendered("sdl") : null)
                || DisplayKeys.isOn(s.has("spice") ? s.rendered("spice") : null);
    }

    private static ConfigParseException specError(XlFile file, XlValue.Atom a, String what, SpecException e) {
        return new ConfigParseException(file.fileName(), a.line(), a.column(),
                "bad " + what + " spec \"" + a.text() + "\": " + e.problem(), e.offending(), e.expected());
    }
}
