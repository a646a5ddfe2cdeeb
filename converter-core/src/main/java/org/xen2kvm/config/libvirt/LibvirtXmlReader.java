package org.xen2kvm.config.libvirt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xen2kvm.config.ConfigParseException;
import org.xen2kvm.config.SafeXml;
import org.xen2kvm.config.Uuids;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.image.DiskFormat;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGraphics;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceNic;
import org.xen2kvm.xen.VirtType;

/**
 * Maps libvirt Xen domain XML onto {@link SourceGuest} (fact sheet section 6), including the
 * pre-0.7 forms: {@code <type>linux</type>}, memory without a unit, a uuid without dashes,
 * {@code <clock sync='localtime'/>}.
 */
public final class LibvirtXmlReader {
    private static final String EXPECTED_ROOT = "<domain type='xen'>";

    private LibvirtXmlReader() {
    }

    /**
     * Parses and maps a libvirt domain XML document.
     *
     * @throws ConfigParseException for malformed XML, a non-Xen domain or bad numbers
     */
    public static SourceGuest read(String file, String text) {
        Document doc = SafeXml.parse(file, text);
        Element root = doc.getDocumentElement();
        if (!"domain".equals(root.getTagName())) {
            int[] at = new Xml(file, text).position(root.getTagName());
            throw new ConfigParseException(file, at[0], at[1], "root element is not <domain>", "<" + root.getTagName() + ">",
                    EXPECTED_ROOT);
        }
        String type = root.getAttribute("type");
        if (!type.equals("xen")) {
            int[] at = new Xml(file, text).position("domain");
            throw new ConfigParseException(file, at[0], at[1], "not a Xen domain", "<domain type='" + type + "'>",
                    EXPECTED_ROOT);
        }
        Xml x = new Xml(file, text);
        SourceGuest.Builder b = SourceGuest.builder(ConfigFormat.LIBVIRT, file);
        b.name = x.text(root, "name");
        String uuid = x.text(root, "uuid");
        if (uuid != null) {
            b.uuid = Uuids.canonical(uuid);
            if (b.uuid == null) {
                b.uuid = uuid;
                b.warnings.add(file + ": <uuid> '" + uuid + "' is not a UUID; kept as written");
            }
        }
        Element memory = x.child(root, "memory");
        Element current = x.child(root, "currentMemory");
        Long maxMiB = memory == null ? null : x.mebibytes(memory);
        Long curMiB = current == null ? null : x.mebibytes(current);
        b.memoryMiB = curMiB != null ? curMiB : maxMiB;
        b.maxMemoryMiB = maxMiB;
        Element vcpu = x.child(root, "vcpu");
        if (vcpu != null) {
            b.maxVcpus = x.integer(vcpu, vcpu.getTextContent(), 1, 65536);
            String cur = vcpu.getAttribute("current");
            b.vcpus = cur.isEmpty() ? b.maxVcpus : x.integer(vcpu, cur, 1, 65536);
            String cpuset = vcpu.getAttribute("cpuset");
            b.cpus = cpuset.isEmpty() ? null : cpuset;
        }
        b.onPoweroff = x.text(root, "on_poweroff");
        b.onReboot = x.text(root, "on_reboot");
        b.onCrash = x.text(root, "on_crash");
        b.bootloader = x.text(root, "bootloader");
        b.bootloaderArgs = x.text(root, "bootloader_args");
        os(x, root, b);
        Element features = x.child(root, "features");
        if (features != null) {
            b.acpi = x.child(features, "acpi") != null;
            b.apic = x.child(features, "apic") != null;
            b.pae = x.child(features, "pae") != null;
        } else if (b.virtType == VirtType.HVM) {
            b.acpi = false;
            b.apic = false;
            b.pae = false;
        }
        Element clock = x.child(root, "clock");
        if (clock != null) {
            b.localtime = "localtime".equals(clock.getAttribute("offset"))
                    || "localtime".equals(clock.getAttribute("basis"))
                    || "localtime".equals(clock.getAttribute("sync"));
        }
        Element devices = x.child(root, "devices");
        if (devices != null) {
            devices(x, devices, b);
        }
        return b.build();
    }

    private static void os(Xml x, Element root, SourceGuest.Builder b) {
        Element os = x.child(root, "os");
        b.virtType = VirtType.PV;
        if (os == null) {
            return;
        }
        Element type = x.child(os, "type");
        if (type != null) {
            String t = type.getTextContent().strip().toLowerCase(Locale.ROOT);
            String machine = type.getAttribute("machine");
            if (t.equals("hvm")) {
                b.virtType = VirtType.HVM;
            } else if (t.equals("xenpvh") || machine.equals("xenpvh")) {
                b.virtType = VirtType.PVH;
            }
        }
        b.kernel = x.text(os, "kernel");
        b.ramdisk = x.text(os, "initrd");
        String cmdline = x.text(os, "cmdline");
        b.cmdline = cmdline == null ? null : cmdline.strip();
        StringBuilder order = new StringBuilder();
        for (Element boot : x.children(os, "boot")) {
            switch (boot.getAttribute("dev")) {
                case "hd" -> order.append('c');
                case "cdrom" -> order.append('d');
                case "network" -> order.append('n');
                case "fd" -> order.append('a');
                default -> b.warnings.add(x.file + ": unknown <boot dev='" + boot.getAttribute("dev") + "'> ignored");
            }
        }
        if (order.length() > 0) {
            b.bootOrder = order.toString();
        }
        if (b.bootloader == null) {
            b.bootloader = x.text(os, "bootloader");
        }
    }

    private static void devices(Xml x, Element devices, SourceGuest.Builder b) {
        for (Element d : x.children(devices, null)) {
            switch (d.getTagName()) {
                case "disk" -> b.disks.add(disk(x, d));
                case "interface" -> b.nics.add(nic(x, d));
                case "graphics" -> b.graphics.add(graphics(d));
                case "serial" -> b.serials.add(serial(x, d));
                case "hostdev" -> {
                    if ("pci".equals(d.getAttribute("type"))) {
                        Element src = x.child(d, "source");
                        Element addr = src == null ? null : x.child(src, "address");
                        if (addr != null) {
                            b.pciDevices.add(pci(x, addr));
                        }
                    }
                }
                default -> { }
            }
        }
    }

    private static SourceDisk disk(Xml x, Element d) {
        String type = d.getAttribute("type");
        String device = d.getAttribute("device");
        Element driver = x.child(d, "driver");
        Element source = x.child(d, "source");
        Element target = x.child(d, "target");
        String path = null;
        if (source != null) {
            path = switch (type) {
                case "block" -> source.getAttribute("dev");
                case "network" -> source.getAttribute("protocol") + ":" + source.getAttribute("name");
                case "volume" -> source.getAttribute("pool") + "/" + source.getAttribute("volume");
                default -> source.getAttribute("file");
            };
            if (path.isEmpty()) {
                path = source.getAttribute("file").isEmpty() ? source.getAttribute("dev") : source.getAttribute("file");
            }
            if (path.isEmpty()) {
                path = null;
            }
        }
        String driverName = driver == null || driver.getAttribute("name").isEmpty() ? null : driver.getAttribute("name");
        String driverType = driver == null ? "" : driver.getAttribute("type");
        DiskFormat format = DiskFormat.fromName(driverType).orElse(null);
        boolean declared = format != null;
        if (format == null && ("phy".equals(driverName) || "file".equals(driverName))) {
            format = DiskFormat.RAW;
            declared = true;
        }
        String vdev = target == null ? null : target.getAttribute("dev");
        boolean cdrom = "cdrom".equals(device);
        boolean readOnly = x.child(d, "readonly") != null;
        boolean shareable = x.child(d, "shareable") != null;
        boolean block = "block".equals(type) || "phy".equals(driverName);
        return new SourceDisk(path, format, declared, vdev == null || vdev.isEmpty() ? null : vdev, readOnly, cdrom,
                shareable, driverName, block);
    }

    private static SourceNic nic(Xml x, Element d) {
        Element mac = x.child(d, "mac");
        Element source = x.child(d, "source");
        Element model = x.child(d, "model");
        Element script = x.child(d, "script");
        Element target = x.child(d, "target");
        List<String> ips = new ArrayList<>();
        for (Element ip : x.children(d, "ip")) {
            ips.add(ip.getAttribute("address"));
        }
        String macText = mac == null ? null : mac.getAttribute("address").toLowerCase(Locale.ROOT);
        return new SourceNic(emptyToNull(macText), source == null ? null : emptyToNull(source.getAttribute("bridge")),
                model == null ? null : emptyToNull(model.getAttribute("type")), null,
                ips.isEmpty() ? null : String.join(" ", ips),
                script == null ? null : emptyToNull(script.getAttribute("path")),
                target == null ? null : emptyToNull(target.getAttribute("dev")), null);
    }

    private static SourceGraphics graphics(Element g) {
        String portText = g.getAttribute("port");
        Integer port = null;
        if (!"yes".equals(g.getAttribute("autoport")) && !portText.isEmpty()) {
            try {
                int p = Integer.parseInt(portText.strip());
                port = p > 0 && p < 65536 ? p : null;
            } catch (NumberFormatException e) {
                port = null;
            }
        }
        return new SourceGraphics(g.getAttribute("type"), emptyToNull(g.getAttribute("listen")), port,
                emptyToNull(g.getAttribute("passwd")), emptyToNull(g.getAttribute("keymap")));
    }

    private static String serial(Xml x, Element d) {
        String type = d.getAttribute("type");
        Element source = x.child(d, "source");
        if (source != null && !source.getAttribute("path").isEmpty()) {
            return type + ":" + source.getAttribute("path");
        }
        if (source != null && !source.getAttribute("host").isEmpty()) {
            return type + ":" + source.getAttribute("host") + ":" + source.getAttribute("service");
        }
        return type;
    }

    private static String pci(Xml x, Element a) {
        return hex(x, a, "domain", 4) + ":" + hex(x, a, "bus", 2) + ":" + hex(x, a, "slot", 2) + "."
                + hex(x, a, "function", 1);
    }

    private static String hex(Xml x, Element a, String attr, int width) {
        String v = a.getAttribute(attr).strip().toLowerCase(Locale.ROOT);
        String digits = v.startsWith("0x") ? v.substring(2) : v;
        if (digits.isEmpty() || digits.length() > 8 || !digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            int[] at = x.position("address");
            throw new ConfigParseException(x.file, at[0], at[1], "bad PCI address attribute '" + attr + "'", v,
                    "a hex number such as 0x1b");
        }
        return String.format("%0" + width + "x", Long.parseLong(digits, 16));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** DOM helpers bound to the file (name and text) for messages. */
    private static final class Xml {
        final String file;
        final String text;

        Xml(String file, String text) {
            this.file = file;
            this.text = text;
        }

        /**
         * Line and column of the first start tag named {@code tag}: the DOM keeps no
         * positions, and the elements checked here (memory, vcpu, ...) occur once.
         */
        int[] position(String tag) {
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("<" + java.util.regex.Pattern.quote(tag) + "[\\s/>]").matcher(text);
            if (!m.find()) {
                return new int[] {1, 1};
            }
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < m.start(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            return new int[] {line, m.start() - lineStart + 1};
        }

        Element child(Element parent, String tag) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals(tag)) {
                    return e;
                }
            }
            return null;
        }

        List<Element> children(Element parent, String tagOrNull) {
            List<Element> out = new ArrayList<>();
            for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && (tagOrNull == null || e.getTagName().equals(tagOrNull))) {
                    out.add(e);
                }
            }
            return out;
        }

        String text(Element parent, String tag) {
            Element e = child(parent, tag);
            return e == null ? null : e.getTextContent();
        }

        Integer integer(Element e, String text, int min, int max) {
            try {
                int v = Integer.parseInt(text.strip());
                if (v < min || v > max) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException ex) {
                int[] at = position(e.getTagName());
                throw new ConfigParseException(file, at[0], at[1], "<" + e.getTagName() + "> is not a valid count",
                        text.strip(),
                        "a whole number from " + min + " to " + max);
            }
        }

        /** libvirt memory: KiB unless {@code unit} says otherwise; rounded down to MiB. */
        Long mebibytes(Element e) {
            String text = e.getTextContent().strip();
            String unit = e.getAttribute("unit").strip();
            long factor = switch (unit) {
                case "", "k", "KiB", "K" -> 1024L;
                case "b", "bytes" -> 1L;
                case "KB" -> 1000L;
                case "MB" -> 1000L * 1000;
                case "M", "MiB" -> 1024L * 1024;
                case "GB" -> 1000L * 1000 * 1000;
                case "G", "GiB" -> 1024L * 1024 * 1024;
                case "TB" -> 1000L * 1000 * 1000 * 1000;
                case "T", "TiB" -> 1024L * 1024 * 1024 * 1024;
                default -> throw new ConfigParseException(file, position(e.getTagName())[0],
                        position(e.getTagName())[1], "unknown memory unit in <" + e.getTagName() + ">",
                        unit, "b, KiB, MiB, GiB, TiB, KB, MB, GB or TB");
            };
            try {
                long v = Long.parseLong(text);
                if (v < 0) {
                    throw new NumberFormatException();
                }
                return Math.multiplyExact(v, factor) / (1024L * 1024);
            } catch (NumberFormatException | ArithmeticException ex) {
                int[] at = position(e.getTagName());
                throw new ConfigParseException(file, at[0], at[1], "<" + e.getTagName() + "> is not a valid size", text,
                        "a whole number of " + (unit.isEmpty() ? "KiB" : unit));
            }
        }
    }
}
