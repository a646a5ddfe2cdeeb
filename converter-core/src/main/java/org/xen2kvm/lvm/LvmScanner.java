package org.xen2kvm.lvm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xen2kvm.image.BlockDevice;

/**
 * The entry point: finds PVs on a guest's disks and partitions, reads each metadata area, keeps
 * the newest metadata (highest seqno) of every VG, and builds the model with each PV tied to the
 * device it was found on. A damaged metadata area is passed over when another good copy (the
 * PV's second area, or another PV of the VG) describes the VG, as lvm2 does; it is then a warning.
 */
public final class LvmScanner {
    /** One good copy of a VG's metadata and where it was read. */
    private record Copy(MetadataValue.Section vg, long seqno, String source) {
    }

    private LvmScanner() {
    }

    /**
     * Scans {@code devices} (whole disks or partitions; the caller keeps ownership).
     *
     * @throws LvmFormatException when a label is corrupt, when a metadata area or text is corrupt
     *                            and no good copy describes that PV's VG (named by device and
     *                            offset or line), or two devices carry one PV UUID
     */
    public static LvmLayout scan(List<? extends BlockDevice> devices) throws IOException {
        Map<String, PvLabel> labels = new LinkedHashMap<>();
        for (BlockDevice d : devices) {
            Optional<PvLabel> l = PvLabelReader.read(d);
            if (l.isPresent()) {
                PvLabel prev = labels.put(l.get().pvUuid(), l.get());
                if (prev != null) {
                    throw new LvmFormatException("PV UUID " + l.get().pvUuid() + " is on both " + prev.device().describe()
                            + " and " + d.describe() + " (a copied disk?): cannot tell which is the PV");
                }
            }
        }
        Map<String, BlockDevice> byUuid = new LinkedHashMap<>();
        labels.forEach((u, l) -> byUuid.put(u, l.device()));
        // Newest text of each VG, by VG UUID.
        Map<String, Copy> newest = new LinkedHashMap<>();
        Map<PvLabel, LvmFormatException> damaged = new LinkedHashMap<>();
        for (PvLabel l : labels.values()) {
            for (DiskArea a : l.metadataAreas()) {
                try {
                    Optional<MetadataText> t = MetadataAreaReader.read(l, a);
                    if (t.isEmpty()) {
                        continue;
                    }
                    String source = l.device().describe() + " metadata at offset " + t.get().textOffset();
                    MetadataValue.Section vg = VolumeGroupReader.vgSection(source, MetadataParser.parse(source, t.get().text()));
                    Copy c = new Copy(vg, VolumeGroupReader.seqno(source, vg), source);
                    newest.merge(VolumeGroupReader.id(source, vg), c, (old, now) -> now.seqno() > old.seqno() ? now : old);
                } catch (LvmFormatException e) {
                    damaged.putIfAbsent(l, e);
                }
            }
        }
        List<VolumeGroup> vgs = new ArrayList<>();
        Map<String, VolumeGroup> vgOfPv = new LinkedHashMap<>();
        Map<VolumeGroup, Copy> copyOf = new java.util.IdentityHashMap<>();
        for (Copy c : newest.values()) {
            VolumeGroup vg = VolumeGroupReader.read(c.source(), c.vg(), byUuid);
            vgs.add(vg);
            copyOf.put(vg, c);
            vg.physicalVolumes().values().forEach(p -> vgOfPv.put(p.labelUuid(), vg));
        }
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<PvLabel, LvmFormatException> d : damaged.entrySet()) {
            VolumeGroup vg = vgOfPv.get(d.getKey().pvUuid());
            if (vg == null) {
                // No good copy names this PV: what it holds cannot be known.
                throw d.getValue();
            }
            // lvm2 reads a VG from any good copy of its metadata: one PV's second area, or another PV.
            warnings.add(d.getValue().getMessage() + "; VG " + vg.name() + " is read from the copy on "
                    + copyOf.get(vg).source() + " (seqno " + vg.seqno() + "), as lvm2 does");
        }
        Set<String> inVg = vgOfPv.keySet();
        List<PvLabel> orphans = labels.values().stream().filter(l -> !inVg.contains(l.pvUuid())).toList();
        return new LvmLayout(vgs, orphans, warnings);
    }
}
