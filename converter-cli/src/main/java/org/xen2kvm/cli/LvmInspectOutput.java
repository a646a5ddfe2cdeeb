package org.xen2kvm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.xen2kvm.guest.LvmInventory;
import org.xen2kvm.JsonStyle;

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

    static ObjectNode json(LvmInventory lvm) {
        ObjectNode o = JsonStyle.object();
        ArrayNode groups = o.putArray("volumeGroups");
        for (LvmInventory.Group g : lvm.groups()) {
            ObjectNode group = groups.addObject().put("name", g.name()).put("uuid", g.uuid())
                    .put("sizeBytes", g.sizeBytes()).put("freeBytes", g.freeBytes())
                    .put("extentSizeBytes", g.extentSizeBytes());
            ArrayNode pvs = group.putArray("physicalVolumes");
            for (LvmInventory.Pv p : g.physicalVolumes()) {
                pvs.addObject().put("name", p.name()).put("uuid", p.uuid())
                        .put("device", p.device()).put("xenDevice", p.xenDevice())
                        .put("lastSeen", p.lastSeen()).put("sizeBytes", p.sizeBytes());
            }
            ArrayNode lvs = group.putArray("logicalVolumes");
            for (LvmInventory.Lv l : g.logicalVolumes()) {
                ObjectNode lv = lvs.addObject().put("name", l.name()).put("uuid", l.uuid()).put("sizeBytes", l.sizeBytes());
                lv.set("segmentTypes", JsonStyle.strings(l.segmentTypes()));
                lv.put("content", l.content()).put("mountPoint", l.mountPoint()).put("refused", l.refusal());
            }
        }
        o.set("refused", JsonStyle.strings(lvm.refusals().stream().map(LvmInventory.Refusal::message).toList()));
        return o;
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
