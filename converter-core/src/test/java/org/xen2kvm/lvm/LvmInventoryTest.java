package org.xen2kvm.lvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.guest.LvmInventory;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.pipeline.ConversionListener;
import org.xen2kvm.pipeline.ConversionRequest;
import org.xen2kvm.pipeline.ConversionResult;
import org.xen2kvm.pipeline.Converter;
import org.xen2kvm.pipeline.DiskDestination;
import org.xen2kvm.pipeline.GuestInspection;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.testutil.ExternalTool;
import org.xen2kvm.testutil.Hashes;

/**
 * The LVM layout that {@code inspect} reports, against lvm2's own reports ({@code vgs}, {@code pvs},
 * {@code lvs --segments}, in bytes) of images lvm2 made; and what a conversion does with an LVM
 * layout the reader refuses: exit with the VG/LV and the reason and leave nothing, or with
 * {@code --no-guest-edits} copy the disks unchanged and say so in the plan.
 */
class LvmInventoryTest {
    private static final long MIB = 1 << 20;

    @TempDir
    static Path dir;
    static Path twoDiskConfig;
    static List<Map<String, String>> vgs;
    static List<Map<String, String>> pvs;
    static List<Map<String, String>> lvSegments;
    /** pv_uuid to the Xen device of the image it is on. */
    static Map<String, String> xenDeviceOfPv = new LinkedHashMap<>();

    /**
     * Two disks: xvda with partition 1 a PV, xvdb a PV as a whole. LogVol00 (ext4, /) on xvda1,
     * LogVol01 (swap) on xvdb, LogVol02 striped over both, LogVol03 linear across both PVs.
     */
    @BeforeAll
    static void buildTwoDiskGuest() throws Exception {
        LvmOracle.requireTools();
        ExternalTool.require("sfdisk", "mkfs.ext4", "mkswap");
        Path a = dir.resolve("a.img");
        Path b = dir.resolve("b.img");
        Path tree = dir.resolve("tree");
        LvmTestGuest.copyTree(Path.of("..", "testdata", "examples", "demo-root").toAbsolutePath().normalize(), tree);
        Files.writeString(tree.resolve("etc/fstab"), "/dev/mapper/VolGroup01-LogVol00 / ext4 defaults 0 1\n"
                + "/dev/VolGroup01/LogVol01 none swap sw 0 0\n");
        long rootOffset;
        long rootSize;
        long swapOffset;
        try (LvmOracle o = new LvmOracle()) {
            LvmOracle.ok(List.of("truncate", "-s", "45M", a.toString()));
            ExternalTool.Result sf = ExternalTool.run(List.of("sh", "-c", "echo 'start=2048, type=8e' | sfdisk -q " + a));
            assertEquals(0, sf.exitCode(), sf.output());
            String la = LvmOracle.ok(List.of("losetup", "-f", "--show", "-o", Long.toString(MIB), a.toString())).strip();
            o.adopt(la);
            String lb = o.attach(b, "40M");
            o.lvm("pvcreate", la, lb);
            o.lvm("vgcreate", "-s", "4M", "VolGroup01", la, lb);
            o.lvcreate("-L", "16M", "-n", "LogVol00", "VolGroup01", la);
            o.lvcreate("-L", "8M", "-n", "LogVol01", "VolGroup01", lb);
            o.lvcreate("-L", "8M", "-i", "2", "-I", "64k", "-n", "LogVol02", "VolGroup01", la, lb);
            // The rest of PV a (5 of its 10 extents) and 3 extents of PV b.
            o.lvcreate("-L", "32M", "-n", "LogVol03", "VolGroup01", la, lb);
            vgs = o.report("vgs", "vg", "vg_name,vg_uuid,vg_size,vg_free,vg_extent_size");
            pvs = o.report("pvs", "pv", "pv_name,pv_uuid,pe_start,pv_pe_count");
            lvSegments = o.report("lvs", "lv", "lv_name,lv_uuid,lv_size,segtype,seg_pe_ranges");
            for (Map<String, String> p : pvs) {
                xenDeviceOfPv.put(p.get("pv_uuid"), p.get("pv_name").equals(la) ? "xvda1" : "xvdb");
            }
            Map<String, String> root = segment("LogVol00");
            rootOffset = MIB + peStart(la) + firstPe(root) * (4 * MIB);
            rootSize = Long.parseLong(root.get("lv_size"));
            swapOffset = peStart(lb) + firstPe(segment("LogVol01")) * (4 * MIB);
        }
        ExternalTool.Result mkfs = ExternalTool.run(List.of("mkfs.ext4", "-q", "-F", "-d", tree.toString(),
                "-E", "offset=" + rootOffset, a.toString(), (rootSize / 1024) + "k"));
        assertEquals(0, mkfs.exitCode(), mkfs.output());
        Path swap = dir.resolve("swap");
        LvmOracle.ok(List.of("truncate", "-s", "8M", swap.toString()));
        LvmOracle.ok(List.of("mkswap", "-q", swap.toString()));
        LvmOracle.dd(b, swap, swapOffset);
        twoDiskConfig = dir.resolve("two.cfg");
        Files.writeString(twoDiskConfig, "name = 'two'\nmemory = 256\nbootloader = 'pygrub'\n"
                + "disk = [ 'file:" + a + ",xvda,w', 'file:" + b + ",xvdb,w' ]\n");
    }

    private static long peStart(String loop) {
        return Long.parseLong(pvs.stream().filter(p -> p.get("pv_name").equals(loop)).findFirst().orElseThrow()
                .get("pe_start"));
    }

    private static long firstPe(Map<String, String> segment) {
        return Long.parseLong(segment.get("seg_pe_ranges").replaceAll("^[^:]*:(\\d+)-.*", "$1"));
    }

    private static Map<String, String> segment(String lv) {
        return lvSegments.stream().filter(r -> r.get("lv_name").equals(lv)).findFirst().orElseThrow();
    }

    @Test
    void inspectionReportsVolumeGroupsPhysicalAndLogicalVolumesAsLvm2Does() throws Exception {
        GuestInspection.Result r = GuestInspection.run(twoDiskConfig, null, false);
        LvmInventory lvm = r.lvm();
        assertEquals(List.of(), lvm.refusals(), r.warnings().toString());
        assertEquals(1, lvm.groups().size());
        LvmInventory.Group g = lvm.groups().get(0);
        Map<String, String> vg = vgs.get(0);
        assertEquals(vg.get("vg_name"), g.name());
        assertEquals(vg.get("vg_uuid"), g.uuid());
        assertEquals(Long.parseLong(vg.get("vg_size")), g.sizeBytes());
        assertEquals(Long.parseLong(vg.get("vg_free")), g.freeBytes());
        assertEquals(Long.parseLong(vg.get("vg_extent_size")), g.extentSizeBytes());

        assertEquals(pvs.size(), g.physicalVolumes().size());
        for (LvmInventory.Pv p : g.physicalVolumes()) {
            Map<String, String> want = pvs.stream().filter(x -> x.get("pv_uuid").equals(p.uuid())).findFirst()
                    .orElseThrow(() -> new AssertionError("no PV " + p.uuid() + " in " + pvs));
            assertEquals(Long.parseLong(want.get("pv_pe_count")) * g.extentSizeBytes(), p.sizeBytes());
            assertEquals(xenDeviceOfPv.get(p.uuid()), p.xenDevice(), p.toString());
            assertEquals(p.xenDevice().equals("xvdb") ? "/dev/vdb" : "/dev/vda1", p.device(), p.toString());
        }

        Map<String, List<String>> types = new LinkedHashMap<>();
        for (Map<String, String> s : lvSegments) {
            List<String> l = types.computeIfAbsent(s.get("lv_name"), k -> new ArrayList<>());
            if (!l.contains(s.get("segtype"))) {
                l.add(s.get("segtype"));
            }
        }
        assertEquals(types.keySet().stream().toList(), g.logicalVolumes().stream().map(LvmInventory.Lv::name).toList());
        for (LvmInventory.Lv l : g.logicalVolumes()) {
            Map<String, String> want = segment(l.name());
            assertEquals(want.get("lv_uuid"), l.uuid());
            assertEquals(Long.parseLong(want.get("lv_size")), l.sizeBytes(), l.name());
            assertEquals(types.get(l.name()), l.segmentTypes(), l.name());
            assertNull(l.refusal(), l.name());
        }
        assertEquals(List.of("linear", "linear", "striped", "linear"),
                g.logicalVolumes().stream().map(l -> l.segmentTypes().get(0)).toList());
        assertEquals(2, lvSegments.stream().filter(s -> s.get("lv_name").equals("LogVol03")).count(),
                "LogVol03 should cross both PVs: " + lvSegments);
        LvmInventory.Lv root = g.logicalVolumes().get(0);
        assertEquals("ext4", root.content());
        assertEquals("/", root.mountPoint());
        LvmInventory.Lv swap = g.logicalVolumes().get(1);
        assertEquals("swap", swap.content());
        assertEquals("swap", swap.mountPoint());
        assertNull(g.logicalVolumes().get(3).content());
    }

    @Test
    void aRefusedLayoutStopsTheConversionNamingTheLvAndLeavesNothing() throws Exception {
        LvmTestGuest guest = LvmTestGuest.build(dir.resolve("thin"), "thin", LvmTestGuest.Extra.THIN_POOL);
        Path out = dir.resolve("thin-out");
        Xen2KvmException e = assertThrows(Xen2KvmException.class, () -> Converter.run(request(guest, out, false),
                ConversionListener.NONE));
        assertEquals("thin: LV VolGroup00/pool segment 1 has type 'thin-pool' (thin provisioning); only linear and"
                + " striped segments are handled: the guest's files there cannot be read or edited; convert with"
                + " --no-guest-edits to copy the disks without changing the guest", e.getMessage());
        assertFalse(Files.exists(out), out + " was left behind");

        GuestInspection.Result r = GuestInspection.run(guest.config(), null, false);
        LvmInventory.Lv pool = r.lvm().groups().get(0).logicalVolumes().stream()
                .filter(l -> l.name().equals("pool")).findFirst().orElseThrow();
        assertEquals(List.of("thin-pool"), pool.segmentTypes());
        assertTrue(pool.refusal().startsWith("segment 1 has type 'thin-pool'"), pool.refusal());
        assertEquals("/", r.lvm().groups().get(0).logicalVolumes().get(0).mountPoint());
    }

    @Test
    void noGuestEditsCopiesTheRefusedGuestUnchangedAndThePlanSaysWhy() throws Exception {
        LvmTestGuest guest = LvmTestGuest.build(dir.resolve("thin2"), "thin2", LvmTestGuest.Extra.THIN_POOL);
        String before = Hashes.sha256(guest.disk());
        Path out = dir.resolve("thin2-out");
        ConversionResult r = Converter.run(request(guest, out, true), ConversionListener.NONE);
        assertEquals(before, Hashes.sha256(guest.disk()), "the source changed");
        assertEquals(before, Hashes.sha256(out.resolve("thin2-vda.raw")), "the copy is not the source, byte for byte");
        assertNull(r.edits(), "edits were made");
        String note = r.plan().warnings().stream().filter(w -> w.startsWith("guest edits skipped")).findFirst()
                .orElseThrow(() -> new AssertionError("the plan does not say the edits were skipped: "
                        + r.plan().warnings()));
        String edits = String.join(", ", org.xen2kvm.edit.GuestEditor.defaultEdits().stream()
                .map(org.xen2kvm.edit.GuestEdit::name).toList());
        assertEquals("guest edits skipped (--no-guest-edits): " + edits + " are"
                + " left as on Xen; the disks are copied unchanged; LVM parts not handled: LV VolGroup00/pool segment 1"
                + " has type 'thin-pool' (thin provisioning); only linear and striped segments are handled", note);
    }

    @Test
    void noGuestEditsOnAGuestWithoutRefusalsEditsNothing() throws Exception {
        LvmTestGuest guest = LvmTestGuest.build(dir.resolve("plain"), "plain", LvmTestGuest.Extra.NONE);
        String before = Hashes.sha256(guest.disk());
        ConversionResult edited = Converter.run(request(guest, dir.resolve("plain-edited"), false),
                ConversionListener.NONE);
        assertTrue(edited.edits() != null && !edited.edits().changes().isEmpty(), "the plain guest needs edits");
        ConversionResult r = Converter.run(request(guest, dir.resolve("plain-out"), true), ConversionListener.NONE);
        assertEquals(before, Hashes.sha256(dir.resolve("plain-out").resolve("plain-vda.raw")));
        String edits = String.join(", ", org.xen2kvm.edit.GuestEditor.defaultEdits().stream()
                .map(org.xen2kvm.edit.GuestEdit::name).toList());
        assertTrue(r.plan().warnings().contains("guest edits skipped (--no-guest-edits): " + edits
                + " are left as on Xen; the disks are copied unchanged"), r.plan().warnings().toString());
    }

    private static ConversionRequest request(LvmTestGuest guest, Path out, boolean noGuestEdits) {
        PlanOptions plan = new PlanOptions(DomainType.QEMU, out, OutputFormat.RAW, Map.of(), Map.of(), false, null);
        return new ConversionRequest(guest.config(), null, plan, false, false, CopyOptions.DEFAULT, false, null, false,
                false, null, new DiskDestination.LocalFiles(), noGuestEdits);
    }
}
