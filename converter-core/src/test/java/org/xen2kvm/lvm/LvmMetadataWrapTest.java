package org.xen2kvm.lvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.RawFileDevice;

/**
 * A small metadata area committed to many times: lvm2 writes each new copy after the previous
 * one and wraps round to just after the header, so the newest copy eventually runs across the
 * end of the area. The reader must follow the wrap and still pick the newest seqno.
 */
class LvmMetadataWrapTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        LvmOracle.requireTools();
    }

    @Test
    void newestCopyIsReadAcrossTheEndOfTheCircularBuffer() throws Exception {
        Path img = dir.resolve("wrap.img");
        try (LvmOracle o = new LvmOracle()) {
            String loop = o.attach(img, "32M");
            o.lvm("pvcreate", "--dataalignment", "64k", "--metadatasize", "32k", loop);
            o.lvm("vgcreate", "-s", "1M", "wrapvg", loop);
            o.lvcreate("-L", "4M", "-n", "lv0", "wrapvg");
            long areaSize = Long.parseLong(o.report("pvs", "pv", "pv_mda_size").get(0).get("pv_mda_size").strip());
            assertTrue(areaSize < 128 * 1024, "a small metadata area was asked for, lvm2 made " + areaSize);
            String name = "lv0";
            boolean wrapped = false;
            boolean straddled = false;
            long previous = -1;
            for (int i = 1; i <= 300 && !(wrapped && straddled); i++) {
                String next = "renamed_" + i;
                o.lvm("lvrename", "--driverloaded", "n", "wrapvg", name, next);
                name = next;
                try (RawFileDevice disk = RawFileDevice.openReadOnly(img)) {
                    PvLabel label = PvLabelReader.read(disk).orElseThrow();
                    DiskArea area = label.metadataAreas().get(0);
                    MetadataText t = MetadataAreaReader.read(label, area).orElseThrow();
                    long rel = t.textOffset() - area.offset();
                    wrapped |= previous >= 0 && rel < previous;
                    straddled |= rel + t.text().getBytes(StandardCharsets.UTF_8).length > area.size();
                    previous = rel;
                    VolumeGroup vg = LvmScanner.scan(List.of(disk)).volumeGroups().get(0);
                    assertEquals(List.of(name), List.copyOf(vg.logicalVolumes().keySet()), "after rename " + i);
                }
            }
            assertTrue(wrapped, "the metadata never wrapped in 300 renames");
            assertTrue(straddled, "no copy ran across the end of the area in 300 renames");
            Map<String, String> vgs = o.report("vgs", "vg", "vg_seqno").get(0);
            try (RawFileDevice disk = RawFileDevice.openReadOnly(img)) {
                assertEquals(Long.parseLong(vgs.get("vg_seqno").strip()),
                        LvmScanner.scan(List.of(disk)).volumeGroups().get(0).seqno());
            }
        }
    }
}
