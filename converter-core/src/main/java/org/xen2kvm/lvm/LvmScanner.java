package org.xen2kvm.lvm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xen2kvm.image.BlockDevice;

/**
 * The entry point: finds PVs on a guest's disks and partitions, reads each metadata area, keeps
 * the newest metadata (highest seqno) of every VG, and builds the model with each PV tied to the
 * device it was found on.
 */
public final class LvmScanner {
    private LvmScanner() {
    }

    /**
     * Scans {@code devices} (whole disks or partitions; the caller keeps ownership).
     *
     * @throws LvmFormatException when a label, metadata area or metadata text is corrupt (named
     *                            by device and offset or line), or two devices carry one PV UUID
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
        Map<String, MetadataValue.Section> newest = new LinkedHashMap<>();
        Map<String, Long> newestSeqno = new LinkedHashMap<>();
        Map<String, String> newestSource = new LinkedHashMap<>();
        for (PvLabel l : labels.values()) {
            for (DiskArea a : l.metadataAreas()) {
                Optional<MetadataText> t = MetadataAreaReader.read(l, a);
                if (t.isEmpty()) {
                    continue;
                }
                String source = l.device().describe() + " metadata at offset " + t.get().textOffset();
                MetadataValue.Section vg = VolumeGroupReader.vgSection(source, MetadataParser.parse(source, t.get().text()));
                String id = VolumeGroupReader.id(source, vg);
                long seqno = VolumeGroupReader.seqno(source, vg);
                if (!newestSeqno.containsKey(id) || newestSeqno.get(id) < seqno) {
                    newest.put(id, vg);
                    newestSeqno.put(id, seqno);
                    newestSource.put(id, source);
                }
            }
        }
        List<VolumeGroup> vgs = new ArrayList<>();
        Set<String> inVg = new HashSet<>();
        for (Map.Entry<String, MetadataValue.Section> e : newest.entrySet()) {
            VolumeGroup vg = VolumeGroupReader.read(newestSource.get(e.getKey()), e.getValue(), byUuid);
            vgs.add(vg);
            vg.physicalVolumes().values().forEach(p -> inVg.add(p.labelUuid()));
        }
        List<PvLabel> orphans = labels.values().stream().filter(l -> !inVg.contains(l.pvUuid())).toList();
        return new LvmLayout(vgs, orphans);
    }
}
