package org.xen2kvm.lvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.ByteArrayBlockDevice;

/** The metadata text parser and the VG model on hand-written metadata modeled on lvm2's output. */
class VolumeGroupReaderTest {
    private static final int MIB = 1 << 20;

    private static String resource(String name) throws Exception {
        try (InputStream in = VolumeGroupReaderTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static VolumeGroup refusedVg(Map<String, BlockDevice> devices) throws Exception {
        String text = resource("vg-refused.txt");
        MetadataValue.Section top = MetadataParser.parse("vg-refused.txt", text);
        return VolumeGroupReader.read("vg-refused.txt", VolumeGroupReader.vgSection("vg-refused.txt", top), devices);
    }

    @Test
    void parsesStringsIntegersListsAndSections() throws Exception {
        MetadataValue.Section top = MetadataParser.parse("vg-refused.txt", resource("vg-refused.txt"));
        assertEquals(new MetadataValue.Str("escaped \"quote\" and \\ backslash"), top.get("description").orElseThrow());
        assertEquals(new MetadataValue.Int(1700000000), top.get("creation_time").orElseThrow());
        MetadataValue.Section vg = VolumeGroupReader.vgSection("x", top);
        assertEquals("VolGroup00", vg.name());
        assertEquals(2, vg.line());
        assertEquals(new MetadataValue.ListValue(List.of(new MetadataValue.Str("RESIZEABLE"), new MetadataValue.Str("READ"),
                new MetadataValue.Str("WRITE"))), vg.get("status").orElseThrow());
        assertEquals(new MetadataValue.ListValue(List.of()), vg.get("flags").orElseThrow());
    }

    @Test
    void refusesWhatIsNotHandledByName() throws Exception {
        byte[] a = new byte[100 * MIB];
        a[MIB + 5] = 42;
        VolumeGroup vg = refusedVg(Map.of("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", new ByteArrayBlockDevice(a, "xvda2")));
        assertEquals(4L * MIB, vg.extentSizeBytes());
        assertEquals(List.of("pv1"), vg.missingPhysicalVolumes().stream().map(PhysicalVolume::name).toList());
        Map<String, String> expected = Map.of(
                "LogVol00", "LV VolGroup00/LogVol00 is the origin of snapshot snap (snapshots are not handled)",
                "onb", "LV VolGroup00/onb segment 1 is on PV pv1 (UUID BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBBB, last seen as /dev/xvdb), which is missing: none of the scanned disks holds it",
                "pool", "LV VolGroup00/pool segment 1 has type 'thin-pool' (thin provisioning); only linear and striped segments are handled",
                "snap", "LV VolGroup00/snap segment 1 has type 'snapshot' (a snapshot); only linear and striped segments are handled",
                "mirrored", "LV VolGroup00/mirrored segment 1 has type 'raid1' (RAID/mirror); only linear and striped segments are handled");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            UnsupportedLvmException x = assertThrows(UnsupportedLvmException.class, () -> vg.openVolume(e.getKey()));
            assertEquals(e.getValue(), x.getMessage());
        }
    }

    @Test
    void linearLvMapsToPeStart() throws Exception {
        byte[] a = new byte[100 * MIB];
        a[MIB + 5] = 42;
        // Without the snapshot the origin is a plain linear LV at pe_start 2048 sectors.
        String text = resource("vg-refused.txt").replace("origin = \"LogVol00\"", "origin = \"elsewhere\"");
        MetadataValue.Section top = MetadataParser.parse("t", text);
        VolumeGroup vg = VolumeGroupReader.read("t", VolumeGroupReader.vgSection("t", top),
                Map.of("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", new ByteArrayBlockDevice(a, "xvda2")));
        BlockDevice lv = vg.openVolume("LogVol00");
        assertEquals(8L * MIB, lv.size());
        assertArrayEquals(new byte[] {0, 42, 0}, lv.readBytes(4, 3));
        lv.write(7, ByteBuffer.wrap(new byte[] {9}));
        assertEquals(9, a[MIB + 7]);
    }

    @Test
    void failFixturesNameTheLine() {
        Map<String, String> cases = Map.of(
                "a = \"open\n", "x: line 1: string is not closed",
                "vg {\n a = 1\n", "x: line 3: section 'vg' opened on line 1 is not closed",
                "a = 1\na = 2\n", "x: line 2: 'a' appears twice in section ''",
                "a = 1.5\n", "x: line 1: '1.' is not a decimal integer",
                "a = 99999999999999999999\n", "x: line 1: '99999999999999999999' is not a 64-bit integer",
                "a = [1, [2]]\n", "x: line 1: unexpected '[' where a value belongs",
                "a = [1 2]\n", "x: line 1: expected ',' or ']' in a list",
                "}\n", "x: line 1: '}' without an open section",
                "a 1\n", "x: line 1: expected '=' or '{' after 'a'",
                "a{".repeat(20), "x: line 1: sections nested deeper than 16");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            LvmFormatException e = assertThrows(LvmFormatException.class, () -> MetadataParser.parse("x", c.getKey()),
                    c.getKey());
            assertEquals(c.getValue(), e.getMessage(), c.getKey());
        }
    }

    @Test
    void modelChecksNumbersAgainstTheDevice() throws Exception {
        String text = resource("vg-refused.txt").replace("pe_count = 24\t# 96 Megabytes", "pe_count = 240");
        MetadataValue.Section top = MetadataParser.parse("t", text);
        LvmFormatException e = assertThrows(LvmFormatException.class, () -> VolumeGroupReader.read("t",
                VolumeGroupReader.vgSection("t", top),
                Map.of("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", new ByteArrayBlockDevice(new byte[100 * MIB], "xvda2"))));
        assertEquals("t: section 'pv0' (line 15): PV pv0 needs 1007681536 bytes (pe_start 2048 sectors + 240 extents) but xvda2 has 104857600",
                e.getMessage());
    }
}
