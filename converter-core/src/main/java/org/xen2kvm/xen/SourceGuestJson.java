package org.xen2kvm.xen;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.xen2kvm.JsonStyle;

/**
 * The printable dump of a {@link SourceGuest}: the {@code source} object of
 * {@code xen2kvm inspect --config-only --json}, and the form golden tests compare. Keys
 * always appear, in a fixed order, with null where the definition did not say.
 */
public final class SourceGuestJson {
    private SourceGuestJson() {
    }

    public static String toJson(SourceGuest g) {
        return JsonStyle.pretty(tree(g));
    }

    /** The guest as one JSON object. */
    public static ObjectNode tree(SourceGuest g) {
        ObjectNode o = JsonStyle.object();
        o.put("name", g.name());
        o.put("uuid", g.uuid());
        o.put("virtType", g.virtType() == null ? null : g.virtType().label());
        o.put("memoryMiB", g.memoryMiB());
        o.put("maxMemoryMiB", g.maxMemoryMiB());
        o.put("vcpus", g.vcpus());
        o.put("maxVcpus", g.maxVcpus());
        o.put("kernel", g.kernel());
        o.put("ramdisk", g.ramdisk());
        o.put("cmdline", g.cmdline());
        o.put("bootloader", g.bootloader());
        o.put("bootloaderArgs", g.bootloaderArgs());
        o.put("onPoweroff", g.onPoweroff());
        o.put("onReboot", g.onReboot());
        o.put("onCrash", g.onCrash());
        ArrayNode disks = o.putArray("disks");
        for (SourceDisk d : g.disks()) {
            disks.addObject()
                    .put("path", d.path())
                    .put("format", d.format() == null ? null : d.format().label())
                    .put("vdev", d.vdev())
                    .put("readOnly", d.readOnly())
                    .put("cdrom", d.cdrom());
        }
        ArrayNode nics = o.putArray("nics");
        for (SourceNic n : g.nics()) {
            nics.addObject().put("mac", n.mac()).put("bridge", n.bridge()).put("model", n.model()).put("ip", n.ip());
        }
        ArrayNode graphics = o.putArray("graphics");
        for (SourceGraphics x : g.graphics()) {
            graphics.addObject().put("type", x.type()).put("listen", x.listen()).put("port", x.port());
        }
        return o;
    }
}
