package org.xen2kvm.lvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.fs.ext.ExtFileSystem;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.CowOverlay;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The LVM2 reader against images made by the real lvm2 tools: sizes and extents compared with
 * pvs/vgs/lvs, data written with dd at the offsets lvm2 reports read back through the LV devices.
 */
class LvmScannerTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        LvmOracle.requireTools();
    }

    private static long num(Map<String, String> row, String key) {
        return Long.parseLong(row.get(key).strip());
    }

    private static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Path file(byte[] data, String name) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    @Test
    void singlePvWithTwoLvsMatchesLvsAndReadsBackData() throws Exception {
        Path img = dir.resolve("one.img");
        List<Map<String, String>> lvs;
        List<Map<String, String>> vgs;
        List<Map<String, String>> pvs;
        try (LvmOracle o = new LvmOracle()) {
            String loop = o.attach(img, "64M");
            o.lvm("pvcreate", loop);
            o.lvm("vgcreate", "-s", "1M", "vg-test", loop);
            o.lvcreate("-L", "8M", "-n", "root", "vg-test");
            o.lvcreate("-L", "12M", "-n", "swap-lv", "vg-test");
            lvs = o.report("lvs", "lv", "lv_name,lv_uuid,lv_size,seg_start_pe,seg_size_pe,seg_pe_ranges");
            vgs = o.report("vgs", "vg", "vg_name,vg_uuid,vg_extent_size,vg_seqno");
            pvs = o.report("pvs", "pv", "pv_name,pv_uuid,pe_start,dev_size");
        }
        long peStart = num(pvs.get(0), "pe_start");
        long extent = num(vgs.get(0), "vg_extent_size");
        // Patterns at the start and the end of the swap LV, at the offsets lvm2 reports.
        Map<String, String> swap = lvs.stream().filter(r -> r.get("lv_name").equals("swap-lv")).findFirst().orElseThrow();
        long swapPe = Long.parseLong(swap.get("seg_pe_ranges").replaceAll(".*:(\\d+)-\\d+", "$1"));
        byte[] head = pattern(4096, 1);
        byte[] tail = pattern(4096, 2);
        LvmOracle.dd(img, file(head, "head"), peStart + swapPe * extent);
        LvmOracle.dd(img, file(tail, "tail"), peStart + swapPe * extent + num(swap, "lv_size") - 4096);

        try (RawFileDevice disk = RawFileDevice.openReadOnly(img)) {
            LvmLayout layout = LvmScanner.scan(List.of(disk));
            assertEquals(1, layout.volumeGroups().size());
            VolumeGroup vg = layout.volumeGroups().get(0);
            assertEquals("vg-test", vg.name());
            assertEquals(vgs.get(0).get("vg_uuid"), vg.uuid());
            assertEquals(extent, vg.extentSizeBytes());
            assertEquals(num(vgs.get(0), "vg_seqno"), vg.seqno());
            PhysicalVolume pv = vg.physicalVolumes().values().iterator().next();
            assertEquals(pvs.get(0).get("pv_uuid"), pv.uuid());
            assertEquals(peStart, pv.peStartBytes());
            assertEquals(disk, pv.device().orElseThrow());
            PvLabel label = PvLabelReader.read(disk).orElseThrow();
            assertEquals(num(pvs.get(0), "dev_size"), label.deviceSize());
            for (Map<String, String> row : lvs) {
                LogicalVolume lv = vg.logicalVolumes().get(row.get("lv_name"));
                assertEquals(row.get("lv_uuid"), lv.uuid());
                assertEquals(num(row, "seg_start_pe"), lv.segments().get(0).startExtent());
                assertEquals(num(row, "seg_size_pe"), lv.segments().get(0).extentCount());
                try (BlockDevice dev = vg.openVolume(lv.name())) {
                    assertEquals(num(row, "lv_size"), dev.size());
                }
            }
            assertEquals("/dev/mapper/vg--test-swap--lv", LvmNames.mapperPath("vg-test", "swap-lv"));
            BlockDevice byMapper = layout.open("/dev/mapper/vg--test-swap--lv");
            BlockDevice byDev = layout.open("/dev/vg-test/swap-lv");
            assertArrayEquals(head, byMapper.readBytes(0, 4096));
            assertArrayEquals(tail, byDev.readBytes(byDev.size() - 4096, 4096));
            UnsupportedLvmException e = assertThrows(UnsupportedLvmException.class, () -> layout.open("/dev/vg-test/nope"));
            assertTrue(e.getMessage().contains("/dev/vg-test/nope"), e.getMessage());
        }
    }

    @Test
    void ext4InsideAnLvOpensThroughTheLvDevice() throws Exception {
        Path img = dir.resolve("ext.img");
        List<Map<String, String>> pvs;
        List<Map<String, String>> lvs;
        long extent;
        try (LvmOracle o = new LvmOracle()) {
            String loop = o.attach(img, "64M");
            o.lvm("pvcreate", loop);
            o.lvm("vgcreate", "-s", "4M", "VolGroup00", loop);
            o.lvcreate("-L", "8M", "-n", "LogVol01", "VolGroup00");
            o.lvcreate("-L", "24M", "-n", "LogVol00", "VolGroup00");
            pvs = o.report("pvs", "pv", "pe_start");
            lvs = o.report("lvs", "lv", "lv_name,lv_size,seg_pe_ranges");
            extent = num(o.report("vgs", "vg", "vg_extent_size").get(0), "vg_extent_size");
        }
        Map<String, String> root = lvs.stream().filter(r -> r.get("lv_name").equals("LogVol00")).findFirst().orElseThrow();
        long pe = Long.parseLong(root.get("seg_pe_ranges").replaceAll(".*:(\\d+)-\\d+", "$1"));
        long offset = num(pvs.get(0), "pe_start") + pe * extent;
        Path tree = Files.createDirectories(dir.resolve("tree/etc"));
        Files.writeString(tree.resolve("fstab"), "/dev/VolGroup00/LogVol00 / ext3 defaults 1 1\n");
        LvmOracle.ok(List.of("mkfs.ext4", "-q", "-F", "-E", "offset=" + offset, "-d", dir.resolve("tree").toString(),
                img.toString(), (num(root, "lv_size") / 1024) + "k"));
        try (RawFileDevice disk = RawFileDevice.openReadOnly(img)) {
            BlockDevice lv = LvmScanner.scan(List.of(disk)).open("/dev/mapper/VolGroup00-LogVol00");
            try (ExtFileSystem fs = ExtFileSystem.open(lv, false)) {
                assertEquals("/dev/VolGroup00/LogVol00 / ext3 defaults 1 1\n",
                        new String(fs.readFile("/etc/fstab", 4096), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        // Edit through a copy-on-write overlay under the PV: the image stays as it was, and the
        // edited LV, cut out at lvm2's offset, passes e2fsck.
        byte[] before = Files.readAllBytes(img);
        Path edited = dir.resolve("edited-lv.img");
        try (RawFileDevice disk = RawFileDevice.openReadOnly(img)) {
            CowOverlay overlay = new CowOverlay(disk);
            BlockDevice lv = LvmScanner.scan(List.of(overlay)).open("/dev/VolGroup00/LogVol00");
            assertTrue(lv.isWritable());
            try (ExtFileSystem fs = ExtFileSystem.open(lv, true)) {
                fs.writeFile("/etc/hello", "through the LV\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0644, 0, 0);
            }
            byte[] disk2 = overlay.readBytes(0, (int) overlay.size());
            Files.write(edited, java.util.Arrays.copyOfRange(disk2, (int) offset, (int) (offset + num(root, "lv_size"))));
        }
        assertArrayEquals(before, Files.readAllBytes(img));
        ExternalTool.Result fsck = ExternalTool.run(List.of("e2fsck", "-fn", edited.toString()));
        assertEquals(0, fsck.exitCode(), fsck.output());
        try (RawFileDevice lvFile = RawFileDevice.openReadOnly(edited); ExtFileSystem fs = ExtFileSystem.open(lvFile, false)) {
            assertEquals("through the LV\n", new String(fs.readFile("/etc/hello", 4096), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void vgAcrossTwoPvsAndAStripedLv() throws Exception {
        Path a = dir.resolve("a.img");
        Path b = dir.resolve("b.img");
        List<Map<String, String>> segs;
        List<Map<String, String>> pvs;
        long extent;
        try (LvmOracle o = new LvmOracle()) {
            String la = o.attach(a, "32M");
            String lb = o.attach(b, "32M");
            o.lvm("pvcreate", la, lb);
            o.lvm("vgcreate", "-s", "1M", "data", la, lb);
            o.lvcreate("-i", "2", "-I", "64k", "-L", "8M", "-n", "stripe", "data");
            // Linear across both PVs: it fills what is left of the first and continues on the second.
            o.lvcreate("-L", "36M", "-n", "span", "data");
            segs = o.report("lvs", "lv", "lv_name,seg_start_pe,seg_size_pe,stripes,stripe_size,seg_pe_ranges");
            pvs = o.report("pvs", "pv", "pv_name,pv_uuid,pe_start");
            extent = num(o.report("vgs", "vg", "vg_extent_size").get(0), "vg_extent_size");
        }
        Map<String, Path> images = Map.of(pvs.get(0).get("pv_name"), a, pvs.get(1).get("pv_name"), b);
        Map<String, Long> peStart = Map.of(pvs.get(0).get("pv_name"), num(pvs.get(0), "pe_start"),
                pvs.get(1).get("pv_name"), num(pvs.get(1), "pe_start"));
        // span: one 4 KiB pattern at the start of each segment, where lvm2 says it is.
        List<Map<String, String>> span = segs.stream().filter(r -> r.get("lv_name").equals("span")).toList();
        assertEquals(2, span.size(), "lvm2 was expected to split span over the two PVs: " + segs);
        for (int i = 0; i < span.size(); i++) {
            String[] range = span.get(i).get("seg_pe_ranges").strip().split(":");
            long pe = Long.parseLong(range[1].split("-")[0]);
            LvmOracle.dd(images.get(range[0]), file(pattern(4096, 10 + i), "span" + i), peStart.get(range[0]) + pe * extent);
        }
        // stripe: dm-stripe puts chunk c of the LV on stripe c % 2 at chunk c / 2 of that stripe.
        Map<String, String> st = segs.stream().filter(r -> r.get("lv_name").equals("stripe")).findFirst().orElseThrow();
        long chunk = num(st, "stripe_size");
        String[] areas = st.get("seg_pe_ranges").strip().split(" ");
        assertEquals(2, areas.length);
        for (int c = 0; c < 6; c++) {
            String[] area = areas[c % 2].split(":");
            long pe = Long.parseLong(area[1].split("-")[0]);
            LvmOracle.dd(images.get(area[0]), file(pattern(512, 100 + c), "chunk" + c),
                    peStart.get(area[0]) + pe * extent + (c / 2) * chunk);
        }
        try (RawFileDevice da = RawFileDevice.openReadOnly(a); RawFileDevice db = RawFileDevice.openReadOnly(b)) {
            LvmLayout layout = LvmScanner.scan(List.of(da, db));
            VolumeGroup vg = layout.volumeGroups().get(0);
            assertEquals(da, vg.physicalVolumeByUuid(pvs.get(0).get("pv_uuid")).orElseThrow().device().orElseThrow());
            assertEquals(db, vg.physicalVolumeByUuid(pvs.get(1).get("pv_uuid")).orElseThrow().device().orElseThrow());
            LogicalVolume spanLv = vg.logicalVolumes().get("span");
            assertEquals(2, spanLv.segments().size());
            BlockDevice spanDev = vg.openVolume("span");
            assertEquals(36L << 20, spanDev.size());
            for (int i = 0; i < 2; i++) {
                long at = num(span.get(i), "seg_start_pe") * extent;
                assertEquals(num(span.get(i), "seg_size_pe"), spanLv.segments().get(i).extentCount());
                assertArrayEquals(pattern(4096, 10 + i), spanDev.readBytes(at, 4096), "span segment " + i);
            }
            LvSegment s = vg.logicalVolumes().get("stripe").segments().get(0);
            assertEquals(2, s.areas().size());
            assertEquals(chunk, s.stripeSizeBytes());
            BlockDevice stripeDev = layout.open("/dev/data/stripe");
            assertEquals(8L << 20, stripeDev.size());
            for (int c = 0; c < 6; c++) {
                assertArrayEquals(pattern(512, 100 + c), stripeDev.readBytes(c * chunk, 512), "chunk " + c);
            }
            // A read across chunk boundaries agrees with chunk-wise reads.
            byte[] across = stripeDev.readBytes(chunk - 256, 512 + (int) chunk);
            assertArrayEquals(stripeDev.readBytes(chunk - 256, 256), java.util.Arrays.copyOfRange(across, 0, 256));
            assertArrayEquals(pattern(512, 101), java.util.Arrays.copyOfRange(across, 256, 768));

            // Only the first disk: the second PV is missing, and the LVs on it are refused by name.
            LvmLayout partial = LvmScanner.scan(List.of(da));
            UnsupportedLvmException e = assertThrows(UnsupportedLvmException.class,
                    () -> partial.open("/dev/data/stripe"));
            assertTrue(e.getMessage().startsWith("LV data/stripe segment 1 is on PV"), e.getMessage());
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
            assertEquals(1, partial.volumeGroups().get(0).missingPhysicalVolumes().size());
        }
    }

    @Test
    void pvLargerThanTwoTebibytes() throws Exception {
        Path img = dir.resolve("big.img");
        List<Map<String, String>> pvs;
        List<Map<String, String>> lvs;
        long extent;
        try (LvmOracle o = new LvmOracle()) {
            String loop = o.attach(img, "3T");
            o.lvm("pvcreate", loop);
            o.lvm("vgcreate", "big", loop);
            o.lvcreate("-L", "2500G", "-n", "low", "big");
            o.lvcreate("-L", "100M", "-n", "high", "big");
            pvs = o.report("pvs", "pv", "pe_start,dev_size");
            lvs = o.report("lvs", "lv", "lv_name,lv_size,seg_pe_ranges");
            extent = num(o.report("vgs", "vg", "vg_extent_size").get(0), "vg_extent_size");
        }
        Map<String, String> high = lvs.stream().filter(r -> r.get("lv_name").equals("high")).findFirst().orElseThrow();
        long pe = Long.parseLong(high.get("seg_pe_ranges").replaceAll(".*:(\\d+)-\\d+", "$1"));
        long offset = num(pvs.get(0), "pe_start") + pe * extent;
        assertTrue(offset > (2L << 40), "the high LV should start past 2 TiB: " + offset);
        LvmOracle.dd(img, file(pattern(4096, 7), "p"), offset + 8192);
        try (RawFileDevice disk = RawFileDevice.openReadOnly(img)) {
            assertEquals(num(pvs.get(0), "dev_size"), PvLabelReader.read(disk).orElseThrow().deviceSize());
            BlockDevice dev = LvmScanner.scan(List.of(disk)).open("/dev/big/high");
            assertEquals(num(high, "lv_size"), dev.size());
            assertArrayEquals(pattern(4096, 7), dev.readBytes(8192, 4096));
        }
    }

    @Test
    void corruptMetadataFailsNamingDeviceAndOffset() throws Exception {
        Path img = dir.resolve("corrupt-metadata-fail.img");
        try (LvmOracle o = new LvmOracle()) {
            String loop = o.attach(img, "16M");
            o.lvm("pvcreate", loop);
            o.lvm("vgcreate", "vg0", loop);
            o.lvcreate("-L", "4M", "-n", "lv0", "vg0");
        }
        long textOffset;
        try (RawFileDevice disk = RawFileDevice.openReadOnly(img)) {
            PvLabel label = PvLabelReader.read(disk).orElseThrow();
            textOffset = MetadataAreaReader.read(label, label.metadataAreas().get(0)).orElseThrow().textOffset();
        }
        try (RawFileDevice disk = RawFileDevice.openWritable(img)) {
            byte[] b = disk.readBytes(textOffset + 10, 1);
            b[0] ^= 0x20;
            disk.write(textOffset + 10, ByteBuffer.wrap(b));
        }
        try (RawFileDevice disk = RawFileDevice.openReadOnly(img)) {
            LvmFormatException e = assertThrows(LvmFormatException.class, () -> LvmScanner.scan(List.of(disk)));
            assertTrue(e.getMessage().startsWith(disk.describe() + ": LVM2 at offset " + textOffset + ": metadata text checksum"),
                    e.getMessage());
        }
        // A flipped bit in the label is caught by the label checksum.
        try (RawFileDevice disk = RawFileDevice.openWritable(img)) {
            disk.write(512 + 40, ByteBuffer.wrap(new byte[] {'X'}));
        }
        try (RawFileDevice disk = RawFileDevice.openReadOnly(img)) {
            LvmFormatException e = assertThrows(LvmFormatException.class, () -> LvmScanner.scan(List.of(disk)));
            assertTrue(e.getMessage().startsWith(disk.describe() + ": LVM2 at offset 528: label_header.crc_xl"), e.getMessage());
        }
    }
    /** Flips one byte of the metadata text in the {@code area}-th metadata area of the PV on {@code img}; returns its offset. */
    private static long damageMetadataText(Path img, int area) throws Exception {
        long textOffset;
        try (RawFileDevice disk = RawFileDevice.openReadOnly(img)) {
            PvLabel label = PvLabelReader.read(disk).orElseThrow();
            textOffset = MetadataAreaReader.read(label, label.metadataAreas().get(area)).orElseThrow().textOffset();
        }
        try (RawFileDevice disk = RawFileDevice.openWritable(img)) {
            byte[] b = disk.readBytes(textOffset + 10, 1);
            b[0] ^= 0x20;
            disk.write(textOffset + 10, ByteBuffer.wrap(b));
        }
        return textOffset;
    }

    @Test
    void damagedMetadataAreaIsPassedOverForThePvsSecondCopyAsLvm2Does() throws Exception {
        Path img = dir.resolve("two-copies.img");
        try (LvmOracle o = new LvmOracle()) {
            String loop = o.attach(img, "16M");
            o.lvm("pvcreate", "--pvmetadatacopies", "2", loop);
            o.lvm("vgcreate", "vg0", loop);
            o.lvcreate("-L", "4M", "-n", "lv0", "vg0");
        }
        long damaged = damageMetadataText(img, 0);
        List<Map<String, String>> lvm2Sees;
        try (LvmOracle o = new LvmOracle()) {
            o.adopt(LvmOracle.ok(List.of("losetup", "-f", "--show", "-r", img.toString())).strip());
            lvm2Sees = o.report("lvs", "lv", "lv_name,lv_size");
        }
        assertEquals(1, lvm2Sees.size(), "lvm2 itself should read the VG from the second copy: " + lvm2Sees);
        try (RawFileDevice disk = RawFileDevice.openReadOnly(img)) {
            LvmLayout layout = LvmScanner.scan(List.of(disk));
            assertEquals(List.of("lv0"), List.copyOf(layout.volumeGroups().get(0).logicalVolumes().keySet()));
            assertEquals(num(lvm2Sees.get(0), "lv_size"), layout.open("/dev/vg0/lv0").size());
            assertEquals(1, layout.warnings().size(), layout.warnings().toString());
            String w = layout.warnings().get(0);
            assertTrue(w.startsWith(disk.describe() + ": LVM2 at offset " + damaged + ": metadata text checksum"), w);
            assertTrue(w.contains("VG vg0 is read from the copy on " + disk.describe() + " metadata at offset "), w);
        }
    }

    @Test
    void damagedMetadataOnOnePvOfAVgIsPassedOverForAnotherPvsCopy() throws Exception {
        Path a = dir.resolve("pv-a.img");
        Path b = dir.resolve("pv-b.img");
        try (LvmOracle o = new LvmOracle()) {
            String la = o.attach(a, "16M");
            String lb = o.attach(b, "16M");
            o.lvm("pvcreate", la, lb);
            o.lvm("vgcreate", "vg1", la, lb);
            o.lvcreate("-L", "20M", "-n", "span", "vg1");
        }
        damageMetadataText(a, 0);
        try (RawFileDevice da = RawFileDevice.openReadOnly(a); RawFileDevice db = RawFileDevice.openReadOnly(b)) {
            LvmLayout layout = LvmScanner.scan(List.of(da, db));
            VolumeGroup vg = layout.volumeGroups().get(0);
            assertEquals(2, vg.physicalVolumes().size());
            assertTrue(vg.missingPhysicalVolumes().isEmpty(), "both PVs are present: " + vg.missingPhysicalVolumes());
            assertEquals(20L << 20, layout.open("/dev/vg1/span").size());
            assertEquals(1, layout.warnings().size(), layout.warnings().toString());
            assertTrue(layout.warnings().get(0).contains("is read from the copy on " + db.describe()), layout.warnings().get(0));
            // Without the good copy nothing describes the damaged PV's VG: refused as before.
            assertThrows(LvmFormatException.class, () -> LvmScanner.scan(List.of(da)));
        }
    }
}
