package org.xen2kvm.lvm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xen2kvm.image.BlockDevice;

/**
 * A volume group from its newest metadata: name, UUID, seqno, extent size in bytes, status, the
 * PVs by metadata name (each with the device it was found on, if any), the LVs by name, and
 * where the metadata was read.
 */
public record VolumeGroup(String name, String uuid, long seqno, long extentSizeBytes, List<String> status,
        Map<String, PhysicalVolume> physicalVolumes, Map<String, LogicalVolume> logicalVolumes, String metadataSource) {
    /** Segment types read as block devices ({@code linear} is written by old lvm2 versions). */
    static final Set<String> HANDLED_TYPES = Set.of("striped", "linear");

    public VolumeGroup {
        status = List.copyOf(status);
        physicalVolumes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(physicalVolumes));
        logicalVolumes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(logicalVolumes));
    }

    /** The PV with this UUID (with or without hyphens). */
    public Optional<PhysicalVolume> physicalVolumeByUuid(String uuid) {
        String u = uuid.replace("-", "");
        return physicalVolumes.values().stream().filter(p -> p.labelUuid().equals(u)).findFirst();
    }

    /** PVs named in the metadata that were not found on any scanned device. */
    public List<PhysicalVolume> missingPhysicalVolumes() {
        return physicalVolumes.values().stream().filter(p -> p.device().isEmpty()).toList();
    }

    /**
     * Why {@code lv} cannot be read as a block device, or empty when it can.
     */
    public Optional<String> unsupportedReason(LogicalVolume lv) {
        for (LogicalVolume other : logicalVolumes.values()) {
            for (LvSegment s : other.segments()) {
                if ("snapshot".equals(s.type()) && lv.name().equals(other.otherKeys().get("origin"))) {
                    return Optional.of("is the origin of snapshot " + other.name() + " (snapshots are not handled)");
                }
            }
        }
        if (!lv.isVisible()) {
            return Optional.of("is a hidden LV (a part of another LV)");
        }
        int i = 1;
        for (LvSegment s : lv.segments()) {
            if (!HANDLED_TYPES.contains(s.type())) {
                return Optional.of("segment " + i + " has type '" + s.type() + "' (" + category(s.type())
                        + "); only linear and striped segments are handled");
            }
            for (LvSegment.Area a : s.areas()) {
                PhysicalVolume pv = physicalVolumes.get(a.name());
                if (pv == null) {
                    return Optional.of("segment " + i + " maps to '" + a.name()
                            + "', which is not a PV of the VG (an LV area: pvmove or a layered LV, not handled)");
                }
                if (pv.device().isEmpty()) {
                    return Optional.of("segment " + i + " is on PV " + pv.name() + " (UUID " + pv.uuid() + ", last seen as "
                            + pv.devicePathHint() + "), which is missing: none of the scanned disks holds it");
                }
            }
            i++;
        }
        return Optional.empty();
    }

    private static String category(String type) {
        if (type.startsWith("thin")) {
            return "thin provisioning";
        }
        if (type.equals("snapshot")) {
            return "a snapshot";
        }
        if (type.startsWith("raid") || type.equals("mirror")) {
            return "RAID/mirror";
        }
        if (type.contains("cache")) {
            return "cache";
        }
        if (type.startsWith("vdo")) {
            return "VDO";
        }
        return "unknown to this reader";
    }

    /**
     * The LV named {@code lvName} as a block device: reads and writes go to the PV devices.
     *
     * @throws UnsupportedLvmException naming the VG, the LV and why, when the LV does not exist or
     *                                 uses what is not handled (see {@link #unsupportedReason})
     */
    public BlockDevice openVolume(String lvName) throws IOException {
        LogicalVolume lv = logicalVolumes.get(lvName);
        if (lv == null) {
            throw new UnsupportedLvmException("VG " + name + " has no LV '" + lvName + "'; its LVs: "
                    + String.join(", ", logicalVolumes.keySet()));
        }
        Optional<String> why = unsupportedReason(lv);
        if (why.isPresent()) {
            throw new UnsupportedLvmException("LV " + name + "/" + lv.name() + " " + why.get());
        }
        try {
            return new LogicalVolumeDevice(LvmNames.devPath(name, lv.name()), pieces(lv));
        } catch (ArithmeticException e) {
            throw new LvmFormatException("LV " + name + "/" + lv.name() + ": extents times extent_size " + extentSizeBytes
                    + " overflow 64 bits");
        }
    }

    private List<LogicalVolumeDevice.Piece> pieces(LogicalVolume lv) throws LvmFormatException {
        List<LogicalVolumeDevice.Piece> pieces = new ArrayList<>();
        for (LvSegment s : lv.segments()) {
            int n = s.areas().size();
            long perStripe = s.extentCount() / n;
            BlockDevice[] devs = new BlockDevice[n];
            long[] bases = new long[n];
            for (int k = 0; k < n; k++) {
                LvSegment.Area a = s.areas().get(k);
                PhysicalVolume pv = physicalVolumes.get(a.name());
                devs[k] = pv.device().orElseThrow();
                bases[k] = Math.addExact(pv.peStartBytes(), Math.multiplyExact(a.startExtent(), extentSizeBytes));
                long end = Math.addExact(bases[k], Math.multiplyExact(perStripe, extentSizeBytes));
                if (end > devs[k].size()) {
                    throw new LvmFormatException("LV " + name + "/" + lv.name() + " maps extents " + a.startExtent() + "+"
                            + perStripe + " of PV " + pv.name() + " to bytes up to " + end + ", past the end of "
                            + devs[k].describe() + " (" + devs[k].size() + " bytes)");
                }
            }
            if (n > 1 && Math.multiplyExact(perStripe, extentSizeBytes) % s.stripeSizeBytes() != 0) {
                // dm-stripe requires each stripe to hold whole chunks.
                throw new LvmFormatException("LV " + name + "/" + lv.name() + " stripes of " + perStripe + " extents are not a multiple of the stripe size "
                        + s.stripeSizeBytes() + " bytes");
            }
            long start = Math.multiplyExact(s.startExtent(), extentSizeBytes);
            long length = Math.multiplyExact(s.extentCount(), extentSizeBytes);
            pieces.add(new LogicalVolumeDevice.Piece(start, length, n == 1 ? length : s.stripeSizeBytes(), devs, bases));
        }
        return pieces;
    }
}
