package org.xen2kvm.lvm;

import static org.xen2kvm.lvm.LvmConstants.SECTOR_SIZE;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xen2kvm.image.BlockDevice;

/**
 * Translates a parsed metadata text into the {@link VolumeGroup} model, checking every number.
 * Sizes in the text are in 512-byte sectors and are turned into bytes here.
 */
final class VolumeGroupReader {
    /** The {@code contents} line every VG metadata text carries. */
    static final String CONTENTS = "Text Format Volume Group";
    /** Limit: segments per LV and stripes per segment (lvm2 allows 128 stripes). */
    static final int MAX_SEGMENTS = 65536;
    static final int MAX_STRIPES = 128;

    private final String source;

    private VolumeGroupReader(String source) {
        this.source = source;
    }

    /** The single VG section of a metadata text, and its name. */
    static MetadataValue.Section vgSection(String source, MetadataValue.Section top) throws LvmFormatException {
        VolumeGroupReader r = new VolumeGroupReader(source);
        String contents = r.str(top, "contents");
        if (!CONTENTS.equals(contents)) {
            throw new LvmFormatException(source + ": contents is '" + contents + "', expected '" + CONTENTS + "'");
        }
        long version = r.num(top, "version");
        if (version != 1) {
            throw new LvmFormatException(source + ": metadata version " + version + ", only 1 is read");
        }
        MetadataValue.Section vg = null;
        for (MetadataValue v : top.entries().values()) {
            if (v instanceof MetadataValue.Section s) {
                if (vg != null) {
                    throw new LvmFormatException(source + ": line " + s.line() + ": a second VG section '" + s.name() + "'");
                }
                vg = s;
            }
        }
        if (vg == null) {
            throw new LvmFormatException(source + ": the metadata has no VG section");
        }
        return vg;
    }

    static long seqno(String source, MetadataValue.Section vg) throws LvmFormatException {
        return new VolumeGroupReader(source).num(vg, "seqno");
    }

    static String id(String source, MetadataValue.Section vg) throws LvmFormatException {
        return new VolumeGroupReader(source).str(vg, "id");
    }

    /** Builds the VG; {@code devicesByUuid} maps PV label UUIDs (no hyphens) to the devices found. */
    static VolumeGroup read(String source, MetadataValue.Section vg, Map<String, BlockDevice> devicesByUuid)
            throws LvmFormatException {
        return new VolumeGroupReader(source).build(vg, devicesByUuid);
    }

    private VolumeGroup build(MetadataValue.Section vg, Map<String, BlockDevice> devicesByUuid) throws LvmFormatException {
        String name = vg.name();
        long seqno = num(vg, "seqno");
        long extentSectors = num(vg, "extent_size");
        if (extentSectors <= 0 || extentSectors > (1L << 32)) {
            throw err(vg, "extent_size " + extentSectors + " sectors is not a valid extent size");
        }
        long extentBytes = extentSectors * SECTOR_SIZE;
        Map<String, PhysicalVolume> pvs = new LinkedHashMap<>();
        for (MetadataValue.Section p : sections(section(vg, "physical_volumes"))) {
            long peStart = num(p, "pe_start");
            long peCount = num(p, "pe_count");
            if (peStart < 0 || peCount < 0 || peStart > Long.MAX_VALUE / SECTOR_SIZE) {
                throw err(p, "pe_start " + peStart + " / pe_count " + peCount + " out of range");
            }
            String uuid = str(p, "id");
            String dev = p.get("device").filter(v -> v instanceof MetadataValue.Str).map(v -> ((MetadataValue.Str) v).value())
                    .orElse("(unknown)");
            Optional<BlockDevice> found = Optional.ofNullable(devicesByUuid.get(uuid.replace("-", "")));
            long peStartBytes = peStart * SECTOR_SIZE;
            if (found.isPresent()) {
                long need;
                try {
                    need = Math.addExact(peStartBytes, Math.multiplyExact(peCount, extentBytes));
                } catch (ArithmeticException e) {
                    throw err(p, "pe_start + pe_count * extent_size overflows");
                }
                if (need > found.get().size()) {
                    throw err(p, "PV " + p.name() + " needs " + need + " bytes (pe_start " + peStart + " sectors + "
                            + peCount + " extents) but " + found.get().describe() + " has " + found.get().size());
                }
            }
            pvs.put(p.name(), new PhysicalVolume(p.name(), uuid, dev, strList(p, "status"), peStartBytes, peCount, found));
        }
        Map<String, LogicalVolume> lvs = new LinkedHashMap<>();
        Optional<MetadataValue> lvSection = vg.get("logical_volumes");
        if (lvSection.isPresent()) {
            for (MetadataValue.Section l : sections(section(vg, "logical_volumes"))) {
                lvs.put(l.name(), lv(l, pvs));
            }
        }
        return new VolumeGroup(name, str(vg, "id"), seqno, extentBytes, strList(vg, "status"), pvs, lvs, source);
    }

    private LogicalVolume lv(MetadataValue.Section l, Map<String, PhysicalVolume> pvs) throws LvmFormatException {
        long count = num(l, "segment_count");
        if (count < 0 || count > MAX_SEGMENTS) {
            throw err(l, "segment_count " + count + " out of range");
        }
        List<LvSegment> segs = new ArrayList<>();
        long next = 0;
        for (int i = 1; i <= count; i++) {
            MetadataValue.Section s = section(l, "segment" + i);
            long start = num(s, "start_extent");
            long extents = num(s, "extent_count");
            if (start != next || extents <= 0 || extents > Long.MAX_VALUE / 2 - start) {
                throw err(s, "start_extent " + start + " / extent_count " + extents + " (segments must follow each other from 0; expected start "
                        + next + ")");
            }
            next = start + extents;
            String type = str(s, "type");
            List<LvSegment.Area> areas = new ArrayList<>();
            long stripeSize = 0;
            if (VolumeGroup.HANDLED_TYPES.contains(type)) {
                long stripes = num(s, "stripe_count");
                if (stripes < 1 || stripes > MAX_STRIPES || extents % stripes != 0) {
                    throw err(s, "stripe_count " + stripes + " with extent_count " + extents + " is not valid");
                }
                if (stripes > 1) {
                    long ss = num(s, "stripe_size");
                    if (ss <= 0 || Long.bitCount(ss) != 1 || ss > (1L << 32)) {
                        throw err(s, "stripe_size " + ss + " sectors is not a power of two");
                    }
                    stripeSize = ss * SECTOR_SIZE;
                }
                List<MetadataValue> items = list(s, "stripes");
                if (items.size() != stripes * 2) {
                    throw err(s, "stripes lists " + items.size() / 2 + " areas, stripe_count says " + stripes);
                }
                for (int k = 0; k < items.size(); k += 2) {
                    if (!(items.get(k) instanceof MetadataValue.Str pvName) || !(items.get(k + 1) instanceof MetadataValue.Int pe)) {
                        throw err(s, "stripes item " + k / 2 + " is not a \"name\", extent pair");
                    }
                    PhysicalVolume pv = pvs.get(pvName.value());
                    long per = extents / stripes;
                    if (pe.value() < 0 || (pv != null && pe.value() > pv.peCount() - per)) {
                        throw err(s, "stripe " + k / 2 + " on " + pvName.value() + " extents " + pe.value() + "+" + per
                                + " is outside the PV's " + (pv == null ? "?" : pv.peCount()) + " extents");
                    }
                    areas.add(new LvSegment.Area(pvName.value(), pe.value()));
                }
            }
            segs.add(new LvSegment(start, extents, type, stripeSize, areas));
        }
        Map<String, String> other = new HashMap<>();
        for (MetadataValue.Section s : sections(l)) {
            for (Map.Entry<String, MetadataValue> e : s.entries().entrySet()) {
                if (e.getValue() instanceof MetadataValue.Str v && (e.getKey().equals("origin") || e.getKey().equals("cow_store")
                        || e.getKey().equals("pool"))) {
                    other.put(e.getKey(), v.value());
                }
            }
        }
        return new LogicalVolume(l.name(), str(l, "id"), strList(l, "status"), segs, other);
    }

    private List<MetadataValue.Section> sections(MetadataValue.Section s) {
        List<MetadataValue.Section> out = new ArrayList<>();
        for (MetadataValue v : s.entries().values()) {
            if (v instanceof MetadataValue.Section c) {
                out.add(c);
            }
        }
        return out;
    }

    private MetadataValue get(MetadataValue.Section s, String key) throws LvmFormatException {
        return s.get(key).orElseThrow(() -> err(s, "'" + key + "' is missing"));
    }

    private MetadataValue.Section section(MetadataValue.Section s, String key) throws LvmFormatException {
        if (get(s, key) instanceof MetadataValue.Section c) {
            return c;
        }
        throw err(s, "'" + key + "' is not a section");
    }

    private String str(MetadataValue.Section s, String key) throws LvmFormatException {
        if (get(s, key) instanceof MetadataValue.Str v) {
            return v.value();
        }
        throw err(s, "'" + key + "' is not a string");
    }

    private long num(MetadataValue.Section s, String key) throws LvmFormatException {
        if (get(s, key) instanceof MetadataValue.Int v) {
            return v.value();
        }
        throw err(s, "'" + key + "' is not an integer");
    }

    private List<MetadataValue> list(MetadataValue.Section s, String key) throws LvmFormatException {
        if (get(s, key) instanceof MetadataValue.ListValue v) {
            return v.items();
        }
        throw err(s, "'" + key + "' is not a list");
    }

    private List<String> strList(MetadataValue.Section s, String key) throws LvmFormatException {
        List<String> out = new ArrayList<>();
        if (s.get(key).isEmpty()) {
            return out;
        }
        for (MetadataValue v : list(s, key)) {
            if (!(v instanceof MetadataValue.Str str)) {
                throw err(s, "'" + key + "' holds a non-string");
            }
            out.add(str.value());
        }
        return out;
    }

    private LvmFormatException err(MetadataValue.Section s, String what) {
        return new LvmFormatException(source + ": section '" + s.name() + "' (line " + s.line() + "): " + what);
    }
}
