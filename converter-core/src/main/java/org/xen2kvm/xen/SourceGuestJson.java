package org.xen2kvm.xen;

import org.xen2kvm.json.JsonWriter;

/**
 * The printable dump of a {@link SourceGuest}: the {@code source} object of
 * {@code xen2kvm inspect --config-only --json}, and the form golden tests compare. Keys
 * always appear, in a fixed order, with null where the definition did not say.
 */
public final class SourceGuestJson {
    private SourceGuestJson() {
    }

    public static String toJson(SourceGuest g) {
        return write(new JsonWriter(), g).toString();
    }

    /** Writes the guest as one object value into a writer positioned where a value is due. */
    public static JsonWriter write(JsonWriter w, SourceGuest g) {
        w.beginObject();
        w.name("name").value(g.name());
        w.name("uuid").value(g.uuid());
        w.name("virtType").value(g.virtType() == null ? null : g.virtType().label());
        w.name("memoryMiB").value(g.memoryMiB());
        w.name("maxMemoryMiB").value(g.maxMemoryMiB());
        w.name("vcpus").value(g.vcpus());
        w.name("maxVcpus").value(g.maxVcpus());
        w.name("kernel").value(g.kernel());
        w.name("ramdisk").value(g.ramdisk());
        w.name("cmdline").value(g.cmdline());
        w.name("bootloader").value(g.bootloader());
        w.name("bootloaderArgs").value(g.bootloaderArgs());
        w.name("onPoweroff").value(g.onPoweroff());
        w.name("onReboot").value(g.onReboot());
        w.name("onCrash").value(g.onCrash());
        w.name("disks").beginArray();
        for (SourceDisk d : g.disks()) {
            w.beginObject();
            w.name("path").value(d.path());
            w.name("format").value(d.format() == null ? null : d.format().label());
            w.name("vdev").value(d.vdev());
            w.name("readOnly").value(d.readOnly());
            w.name("cdrom").value(d.cdrom());
            w.endObject();
        }
        w.endArray();
        w.name("nics").beginArray();
        for (SourceNic n : g.nics()) {
            w.beginObject();
            w.name("mac").value(n.mac());
            w.name("bridge").value(n.bridge());
            w.name("model").value(n.model());
            w.name("ip").value(n.ip());
            w.endObject();
        }
        w.endArray();
        w.name("graphics").beginArray();
        for (SourceGraphics x : g.graphics()) {
            w.beginObject();
            w.name("type").value(x.type());
            w.name("listen").value(x.listen());
            w.name("port").value(x.port());
            w.endObject();
        }
        w.endArray();
        return w.endObject();
    }
}
