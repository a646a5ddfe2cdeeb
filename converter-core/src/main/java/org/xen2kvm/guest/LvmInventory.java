package org.xen2kvm.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.lvm.LogicalVolume;
import org.xen2kvm.lvm.LvSegment;
import org.xen2kvm.lvm.PhysicalVolume;
import org.xen2kvm.lvm.VolumeGroup;

/**
 * The LVM2 layout on a guest's disks as {@code inspect} shows it, and what of it xen2kvm does not
 * handle. Sizes are in bytes, counted as {@code vgs}/{@code lvs} count them (extents times the
 * extent size).
 *
 * @param groups    the volume groups, in the order their PVs were found
 * @param refusals  what the LVM reader refused (an LV's segment type, a missing PV, or the whole
 *                  scan): the data there is copied, but nothing in it is inspected or edited, so a
 *                  conversion stops unless the user asks for no guest edits
 */
public record LvmInventory(List<Group> groups, List<Refusal> refusals) {
    public static final LvmInventory NONE = new LvmInventory(List.of(), List.of());

    public LvmInventory {
        groups = List.copyOf(groups);
        refusals = List.copyOf(refusals);
    }

    /**
     * A volume group.
     *
     * @param freeBytes the extents no LV (hidden ones included) uses
     */
    public record Group(String name, String uuid, long extentSizeBytes, long sizeBytes, long freeBytes,
                        List<Pv> physicalVolumes, List<Lv> logicalVolumes) {
        public Group {
            physicalVolumes = List.copyOf(physicalVolumes);
            logicalVolumes = List.copyOf(logicalVolumes);
        }
    }

    /**
     * A PV of a group.
     *
     * @param device    where it was found, as the KVM guest names it ({@code /dev/vda2}), or null when
     *                  none of the guest's disks holds it
     * @param xenDevice the same device as the Xen guest named it ({@code xvda2}, {@code xvdb}), or null
     *                  when not known (see {@link #withGuestNames})
     * @param lastSeen  the device path lvm2 last recorded for it (the Xen guest's, {@code /dev/xvda2})
     * @param sizeBytes the extent area ({@code pv_pe_count} extents)
     */
    public record Pv(String name, String uuid, String device, String xenDevice, String lastSeen, long sizeBytes) {
    }

    /**
     * A visible LV.
     *
     * @param segmentTypes the distinct segment types in LV order ({@code linear} for a one-area
     *                     {@code striped} segment, as {@code lvs -o segtype} prints it)
     * @param content      {@code ext3}, {@code swap}... or null when nothing known is on it
     * @param mountPoint   where the guest's fstab mounts it ({@code /}, {@code swap} for swap), or null
     * @param refusal      why it is not read, or null when it is
     */
    public record Lv(String name, String uuid, long sizeBytes, List<String> segmentTypes, String content,
                     String mountPoint, String refusal) {
        public Lv {
            segmentTypes = List.copyOf(segmentTypes);
        }
    }

    /**
     * Something the LVM reader does not handle.
     *
     * @param subject {@code VG/LV}, or {@code LVM} when the scan itself failed
     */
    public record Refusal(String subject, String reason) {
        /** One line: {@code LV VolGroup00/pool segment 1 has type 'thin-pool' ...}. */
        public String message() {
            return subject.equals("LVM") ? "LVM: " + reason : "LV " + subject + " " + reason;
        }
    }

    /**
     * This inventory with the Xen name of each PV's device and the fstab mount point of each LV.
     *
     * @param xenDevice   a KVM device path ({@code /dev/vda2}) to the Xen guest's name ({@code xvda2})
     * @param mountPoints {@code /dev/VG/LV} to its fstab mount point
     */
    public LvmInventory withGuestNames(java.util.function.Function<String, String> xenDevice,
                                       Map<String, String> mountPoints) {
        List<Group> named = new ArrayList<>();
        for (Group g : groups) {
            List<Pv> pvs = g.physicalVolumes().stream().map(p -> new Pv(p.name(), p.uuid(), p.device(),
                    p.device() == null ? null : xenDevice.apply(p.device()), p.lastSeen(), p.sizeBytes())).toList();
            List<Lv> lvs = g.logicalVolumes().stream().map(l -> new Lv(l.name(), l.uuid(), l.sizeBytes(),
                    l.segmentTypes(), l.content(), mountPoints.get(org.xen2kvm.lvm.LvmNames.devPath(g.name(), l.name())),
                    l.refusal())).toList();
            named.add(new Group(g.name(), g.uuid(), g.extentSizeBytes(), g.sizeBytes(), g.freeBytes(), pvs, lvs));
        }
        return new LvmInventory(named, refusals);
    }

    /**
     * The inventory of one group.
     *
     * @param devicePaths each scanned PV device by the path the KVM guest names it
     * @param contents    {@code /dev/VG/LV} to what was found on it ({@code ext3}, {@code swap})
     */
    static Group group(VolumeGroup vg, Map<BlockDevice, String> devicePaths, Map<String, String> contents) {
        List<Pv> pvs = new ArrayList<>();
        long total = 0;
        for (PhysicalVolume pv : vg.physicalVolumes().values()) {
            long size = pv.peCount() * vg.extentSizeBytes();
            total += size;
            pvs.add(new Pv(pv.name(), pv.uuid(), pv.device().map(devicePaths::get).orElse(null), null,
                    pv.devicePathHint(), size));
        }
        long used = 0;
        List<Lv> lvs = new ArrayList<>();
        for (LogicalVolume lv : vg.logicalVolumes().values()) {
            used += extentsOnPhysicalVolumes(vg, lv) * vg.extentSizeBytes();
            if (!lv.isVisible()) {
                continue;
            }
            List<String> types = lv.segments().stream().map(LvmInventory::segmentType).distinct().toList();
            lvs.add(new Lv(lv.name(), lv.uuid(), lv.extentCount() * vg.extentSizeBytes(), types,
                    contents.get(org.xen2kvm.lvm.LvmNames.devPath(vg.name(), lv.name())), null,
                    vg.unsupportedReason(lv).orElse(null)));
        }
        return new Group(vg.name(), vg.uuid(), vg.extentSizeBytes(), total, total - used, pvs, lvs);
    }

    /** The PV extents an LV's own segments take (areas on other LVs count in those LVs). */
    private static long extentsOnPhysicalVolumes(VolumeGroup vg, LogicalVolume lv) {
        long n = 0;
        for (LvSegment s : lv.segments()) {
            long perArea = "striped".equals(s.type()) && !s.areas().isEmpty()
                    ? s.extentCount() / s.areas().size() : s.extentCount();
            for (LvSegment.Area a : s.areas()) {
                if (vg.physicalVolumes().containsKey(a.name())) {
                    n += perArea;
                }
            }
        }
        return n;
    }

    private static String segmentType(LvSegment s) {
        return "striped".equals(s.type()) && s.areas().size() == 1 ? "linear" : s.type();
    }
}
