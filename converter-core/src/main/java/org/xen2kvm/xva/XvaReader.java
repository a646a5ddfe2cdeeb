package org.xen2kvm.xva;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xen2kvm.config.ConfigParseException;
import org.xen2kvm.config.SafeXml;
import org.xen2kvm.config.Uuids;
import org.xen2kvm.xva.MissingOvaXmlException;
import org.xen2kvm.xva.XvaArchive;
import org.xen2kvm.xva.XvaFormatException;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.image.DiskFormat;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceNic;
import org.xen2kvm.xen.VirtType;

/**
 * Reads the guest from a XenServer export (fact sheet section 7): a {@code .xva} tar, plain,
 * gzip- or zstd-compressed, of which only the {@code ova.xml} member is read (through
 * {@link XvaArchive}, the reader the disks come from too), or a bare ova.xml. A disk's
 * path is its VDI reference ({@code Ref:4}), whose data lives in the tar under that name.
 */
public final class XvaReader {
    /** ova.xml is metadata only; a larger one is refused rather than loaded. */
    static final long MAX_OVA_XML_BYTES = 16L << 20;
    private static final long MIB = 1024L * 1024;

    private XvaReader() {
    }

    /**
     * Reads a .xva archive (plain, gzip or zstd tar: the one reader {@link XvaArchive} that
     * also serves the disks) or a bare ova.xml.
     *
     * @throws ConfigParseException when the archive is corrupt, has no ova.xml first, or the
     *                              metadata does not describe one VM
     * @throws IOException          when the file cannot be read
     */
    public static SourceGuest read(Path file) throws IOException {
        String name = file.toString();
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(XvaArchive.HEAD_BYTES);
        }
        byte[] xml;
        if (XvaArchive.archiveCompression(head).isPresent()) {
            xml = ovaXmlFromArchive(file);
        } else {
            try (InputStream in = Files.newInputStream(file)) {
                xml = in.readNBytes((int) MAX_OVA_XML_BYTES + 1);
            }
            if (xml.length > MAX_OVA_XML_BYTES) {
                throw new ConfigParseException(name, 1, 1, "ova.xml too large", file.getFileName().toString(),
                        "at most 16 MiB of XVA metadata");
            }
        }
        return fromOvaXml(name, new String(xml, StandardCharsets.UTF_8));
    }

    private static byte[] ovaXmlFromArchive(Path file) throws IOException {
        String name = file.toString();
        byte[] xml;
        try {
            xml = XvaArchive.readOvaXml(file);
        } catch (MissingOvaXmlException e) {
            throw new ConfigParseException(name, 1, 1, "no ova.xml among the first archive members", name,
                    "an XVA archive whose first member is ova.xml", e);
        } catch (XvaFormatException e) {
            // Truncated or corrupt tar/gzip/zstd data: the file is not a usable XVA.
            throw new ConfigParseException(name, 1, 1, "unreadable XVA archive: " + e.getMessage(), name,
                    "a tar (optionally gzip- or zstd-compressed) starting with ova.xml", e);
        }
        if (xml.length > MAX_OVA_XML_BYTES) {
            throw new ConfigParseException(name, 1, 1, "ova.xml member too large (" + xml.length + " bytes)",
                    XvaArchive.OVA_XML, "at most 16 MiB of XVA metadata");
        }
        return xml;
    }

    /**
     * Maps ova.xml text onto a guest.
     *
     * @throws ConfigParseException for malformed XML or metadata without exactly one VM
     */
    public static SourceGuest fromOvaXml(String file, String xmlText) {
        Document doc = SafeXml.parse(file, xmlText);
        Element root = doc.getDocumentElement();
        if (!root.getTagName().equals("value")) {
            throw new ConfigParseException(file, 1, 1, "ova.xml root is not an XML-RPC <value>",
                    "<" + root.getTagName() + ">", "<value><struct> with version and objects");
        }
        Object decoded = XmlRpcValue.decode(file, root);
        if (!(decoded instanceof Map<?, ?> top) || !(top.get("objects") instanceof List<?> objects)) {
            throw new ConfigParseException(file, 1, 1, "ova.xml has no 'objects' array", "<value>",
                    "a struct with members version and objects");
        }
        Map<String, Map<?, ?>> byRef = new HashMap<>();
        List<Map<?, ?>> vms = new ArrayList<>();
        for (Object o : objects) {
            if (o instanceof Map<?, ?> obj && obj.get("snapshot") instanceof Map<?, ?> snap) {
                byRef.put(String.valueOf(obj.get("id")), snap);
                if ("VM".equals(obj.get("class"))) {
                    vms.add(snap);
                }
            }
        }
        List<Map<?, ?>> guests = vms.stream().filter(vm -> !isTrue(vm.get("is_control_domain"))
                && !isTrue(vm.get("is_a_snapshot")) && !isTrue(vm.get("is_a_template"))).toList();
        if (guests.isEmpty()) {
            guests = vms;
        }
        if (guests.size() != 1) {
            throw new ConfigParseException(file, 1, 1, "ova.xml describes " + guests.size() + " VMs",
                    "class VM", "exactly one VM object");
        }
        return map(file, guests.get(0), byRef);
    }

    private static SourceGuest map(String file, Map<?, ?> vm, Map<String, Map<?, ?>> byRef) {
        SourceGuest.Builder b = SourceGuest.builder(ConfigFormat.XVA, file);
        b.name = text(vm, "name_label");
        String uuid = text(vm, "uuid");
        if (uuid != null) {
            b.uuid = Uuids.canonical(uuid);
            if (b.uuid == null) {
                b.uuid = uuid;
                b.warnings.add(file + ": VM uuid '" + uuid + "' is not a UUID; kept as written");
            }
        }
        Long staticMax = bytesToMiB(file, vm, "memory_static_max");
        Long dynamicMax = bytesToMiB(file, vm, "memory_dynamic_max");
        b.maxMemoryMiB = staticMax;
        b.memoryMiB = dynamicMax != null ? dynamicMax : staticMax;
        b.maxVcpus = count(file, vm, "VCPUs_max");
        b.vcpus = count(file, vm, "VCPUs_at_startup");
        String policy = text(vm, "HVM_boot_policy");
        b.virtType = policy != null && !policy.isBlank() ? VirtType.HVM : VirtType.PV;
        if (b.virtType == VirtType.HVM) {
            if (vm.get("HVM_boot_params") instanceof Map<?, ?> params && params.get("order") instanceof String order) {
                b.bootOrder = order.isEmpty() ? null : order;
            }
        } else {
            b.bootloader = text(vm, "PV_bootloader");
            b.bootloaderArgs = text(vm, "PV_bootloader_args");
            b.kernel = text(vm, "PV_kernel");
            b.ramdisk = text(vm, "PV_ramdisk");
            b.cmdline = text(vm, "PV_args");
        }
        if (vm.get("platform") instanceof Map<?, ?> platform) {
            b.acpi = flag(platform.get("acpi"));
            b.apic = flag(platform.get("apic"));
            b.pae = flag(platform.get("pae"));
        }
        b.onPoweroff = text(vm, "actions_after_shutdown");
        b.onReboot = text(vm, "actions_after_reboot");
        b.onCrash = text(vm, "actions_after_crash");

        List<Map<?, ?>> vbds = refs(vm.get("VBDs"), byRef);
        vbds.sort(Comparator.comparingLong(v -> position(v.get("userdevice"))));
        for (Map<?, ?> vbd : vbds) {
            b.disks.add(disk(file, vbd, b));
        }
        List<Map<?, ?>> vifs = refs(vm.get("VIFs"), byRef);
        vifs.sort(Comparator.comparingLong(v -> position(v.get("device"))));
        for (Map<?, ?> vif : vifs) {
            String mac = text(vif, "MAC");
            String bridge = null;
            if (vif.get("network") != null && byRef.get(String.valueOf(vif.get("network"))) != null) {
                bridge = text(byRef.get(String.valueOf(vif.get("network"))), "bridge");
            }
            b.nics.add(new SourceNic(mac == null ? null : mac.toLowerCase(Locale.ROOT), bridge, null, null, null,
                    null, null, null));
        }
        return b.build();
    }

    private static SourceDisk disk(String file, Map<?, ?> vbd, SourceGuest.Builder b) {
        boolean cdrom = "CD".equalsIgnoreCase(text(vbd, "type"));
        boolean empty = isTrue(vbd.get("empty"));
        String vdi = text(vbd, "VDI");
        String path = empty || vdi == null || vdi.startsWith("OpaqueRef:NULL") ? null : vdi;
        String vdev = text(vbd, "device");
        if (vdev == null) {
            long pos = position(vbd.get("userdevice"));
            // XenServer names emulated IDE disks of HVM guests hda..hdd, the rest xvdX.
            String prefix = b.virtType == VirtType.HVM && pos < 4 ? "hd" : "xvd";
            vdev = pos >= 0 && pos < 26 ? prefix + (char) ('a' + pos) : "userdevice" + vbd.get("userdevice");
            b.warnings.add(file + ": VBD with userdevice " + vbd.get("userdevice") + " has no device name; using "
                    + vdev);
        }
        boolean readOnly = "RO".equalsIgnoreCase(text(vbd, "mode")) || cdrom;
        return new SourceDisk(path, path == null ? null : DiskFormat.XVA, path != null, vdev, readOnly, cdrom, false,
                null, false);
    }

    private static List<Map<?, ?>> refs(Object list, Map<String, Map<?, ?>> byRef) {
        List<Map<?, ?>> out = new ArrayList<>();
        if (list instanceof List<?> l) {
            for (Object ref : l) {
                Map<?, ?> snap = byRef.get(String.valueOf(ref));
                if (snap != null) {
                    out.add(snap);
                }
            }
        }
        return out;
    }

    private static long position(Object v) {
        try {
            return v == null ? Long.MAX_VALUE : Long.parseLong(String.valueOf(v).strip());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static String text(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v instanceof String s && !s.isBlank()) {
            return s.strip();
        }
        return null;
    }

    private static boolean isTrue(Object v) {
        return Boolean.TRUE.equals(v) || "true".equalsIgnoreCase(String.valueOf(v));
    }

    private static Boolean flag(Object v) {
        if (v == null) {
            return null;
        }
        String t = String.valueOf(v).strip().toLowerCase(Locale.ROOT);
        return t.equals("true") || t.equals("1");
    }

    private static Long bytesToMiB(String file, Map<?, ?> vm, String key) {
        String t = text(vm, key);
        if (t == null) {
            return null;
        }
        try {
            long v = Long.parseLong(t);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v / MIB;
        } catch (NumberFormatException e) {
            throw new ConfigParseException(file, 1, 1, "VM field " + key + " is not a byte count", t,
                    "a whole number of bytes");
        }
    }

    private static Integer count(String file, Map<?, ?> vm, String key) {
        String t = text(vm, key);
        if (t == null) {
            return null;
        }
        try {
            int v = Integer.parseInt(t);
            if (v < 0 || v > 65536) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigParseException(file, 1, 1, "VM field " + key + " is not a vCPU count", t,
                    "a whole number from 0 to 65536");
        }
    }
}
