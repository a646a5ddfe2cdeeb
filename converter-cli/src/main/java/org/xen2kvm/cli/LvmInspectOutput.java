package org.xen2kvm.cli;

import org.xen2kvm.guest.LvmInventory;
import org.xen2kvm.json.JsonWriter;

/** The LVM2 lines of {@code inspect} and its {@code lvm} JSON member (docs/inspect-json.md). */
final class LvmInspectOutput {
    private LvmInspectOutput() {
    }

    /**
     * One {@code vg} line per volume group, a {@code pv} line per PV (Xen device first, as the
     * user knows it) and an {@code lv} line per visible LV, then what is refused; nothing without LVM.
     */
    static String text(LvmInventory lvm) {
        StringBuilder sb = new StringBuilder();
        for (LvmInventory.Group g : lvm.groups()) {
            sb.append("  vg      ").append(g.name()).append("  size ").append(size(g.sizeBytes()))
                    .append(", free ").append(size(g.freeBytes())).append(", extent ").append(size(g.extentSizeBytes()))
                    .append("  UUID=").append(g.uuid()).append('\n');
            for (LvmInventory.Pv p : g.physicalVolumes()) {
                sb.append("    pv    ").append(p.device() == null ? "missing (last seen as " + p.lastSeen() + ")"
                                : (p.xenDevice() == null ? "?" : p.xenDevice()) + " (KVM " + p.device() + ")")
                        .append("  ").append(size(p.sizeBytes())).append("  UUID=").append(p.uuid()).append('\n');
            }
            for (LvmInventory.Lv l : g.logicalVolumes()) {
                sb.append("    lv    ").append(l.name()).append("  ").append(size(l.sizeBytes())).append("  ")
                        .append(String.join(",", l.segmentTypes()));
                if (l.refusal() != null) {
                    sb.append("  not handled: ").append(l.refusal());
                } else if (l.content() != null) {
                    sb.append("  ").append(l.content());
                    if (l.mountPoint() != null && !l.mountPoint().equals(l.content())) {
                        sb.append(' ').append(l.mountPoint());
                    }
                }
                sb.append('\n');
            }
        }
        for (LvmInventory.Refusal r : lvm.refusals()) {
            if (r.subject().equals("LVM")) {
                sb.append("  lvm     not handled: ").append(r.reason()).append('\n');
            }
        }
        return sb.toString();
    }

    static void json(JsonWriter w, LvmInventory lvm) {
        w.beginObject().name("volumeGroups").beginArray();
        for (LvmInventory.Group g : lvm.groups()) {
            w.beginObject().name("name").value(g.name()).name("uuid").value(g.uuid())
                    .name("sizeBytes").value(g.sizeBytes()).name("freeBytes").value(g.freeBytes())
                    .name("extentSizeBytes").value(g.extentSizeBytes());
            w.name("physicalVolumes").beginArray();
            for (LvmInventory.Pv p : g.physicalVolumes()) {
                w.beginObject().name("name").value(p.name()).name("uuid").value(p.uuid())
                        .name("device").value(p.device()).name("xenDevice").value(p.xenDevice())
                        .name("lastSeen").value(p.lastSeen()).name("sizeBytes").value(p.sizeBytes()).endObject();
            }
            w.endArray();
            w.name("logicalVolumes").beginArray();
            for (LvmInventory.Lv l : g.logicalVolumes()) {
                w.beginObject().name("name").value(l.name()).name("uuid").value(l.uuid())
                        .name("sizeBytes").value(l.sizeBytes()).name("segmentTypes").beginArray();
                l.segmentTypes().forEach(w::value);
                w.endArray().name("content").value(l.content()).name("mountPoint").value(l.mountPoint())
                        .name("refused").value(l.refusal()).endObject();
            }
            w.endArray().endObject();
        }
        w.endArray().name("refused").beginArray();
        lvm.refusals().forEach(r -> w.value(r.message()));
        w.endArray().endObject();
    }

    /** {@code 1280 MiB} (whole MiB below 10 GiB), else as {@code disk info} rounds: {@code 3 TiB}. */
    private static String size(long bytes) {
        if (bytes % (1 << 20) == 0 && bytes < (10L << 30)) {
            return (bytes >> 20) + " MiB";
        }
        String human = DiskInfoCommand.humanSize(bytes);
        return human.substring(0, human.indexOf(" ("));
    }
}
