package org.xen2kvm.plan;

import org.xen2kvm.plan.XenVdev;

import org.xen2kvm.plan.DeviceMapping;

import org.xen2kvm.plan.DeviceMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.image.DiskFormat;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.VirtType;

class DeviceMapTest {

    private static SourceGuest guest(VirtType type, SourceDisk... disks) {
        SourceGuest.Builder b = SourceGuest.builder(ConfigFormat.XL, "g.cfg");
        b.name = "g";
        b.virtType = type;
        b.disks.addAll(java.util.List.of(disks));
        return b.build();
    }

    private static SourceDisk disk(String vdev) {
        return new SourceDisk("/img/" + vdev, DiskFormat.RAW, true, vdev, false, false, false, "file", false);
    }

    private static SourceDisk cdrom(String vdev) {
        return new SourceDisk("/iso/x.iso", DiskFormat.RAW, true, vdev, true, true, false, "file", false);
    }

    @Test
    void decodesVdevNamesAndNumbers() {
        assertEquals(new XenVdev("xvd", 0, 0), XenVdev.parse("xvda").orElseThrow());
        assertEquals(new XenVdev("xvd", 0, 2), XenVdev.parse("xvda2").orElseThrow());
        assertEquals(new XenVdev("xvd", 26, 0), XenVdev.parse("xvdaa").orElseThrow());
        assertEquals(new XenVdev("hd", 2, 0), XenVdev.parse("hdc").orElseThrow());
        assertEquals(new XenVdev("hd", 0, 0), XenVdev.parse("ioemu:hda").orElseThrow());
        assertEquals(new XenVdev("xvd", 0, 0), XenVdev.parse("51712").orElseThrow());
        assertEquals(new XenVdev("xvd", 1, 1), XenVdev.parse("51729").orElseThrow());
        assertEquals(new XenVdev("hd", 2, 0), XenVdev.parse("5632").orElseThrow());
        assertEquals(new XenVdev("sd", 1, 3), XenVdev.parse("2067").orElseThrow());
        assertEquals(new XenVdev("xvd", 30, 1), XenVdev.parse(Integer.toString((1 << 28) | (30 << 8) | 1)).orElseThrow());
        assertEquals("xvdab", new XenVdev("xvd", 27, 0).name());
        assertEquals(Optional.empty(), XenVdev.parse("vda"));
        assertEquals(Optional.empty(), XenVdev.parse("xvda0"));
        assertEquals(Optional.empty(), XenVdev.parse("99999999999"));
    }

    @Test
    void xenToolsPartitionsBecomeWholeDisks() {
        DeviceMap map = DeviceMap.of(guest(VirtType.PV, disk("xvda2"), disk("xvda1")));
        assertEquals("vda", map.forSourceIndex(0).kvmTarget());
        assertTrue(map.forSourceIndex(0).partitionAsDisk());
        assertEquals("vdb", map.forSourceIndex(1).kvmTarget());
        assertEquals(Optional.of("/dev/vda"), map.translate("/dev/xvda2"));
        assertEquals(Optional.of("/dev/vdb"), map.translate("/dev/xvda1"));
        assertEquals(Optional.empty(), map.translate("/dev/xvda3"));
        assertEquals("root=/dev/vda ro resume=/dev/vdb", map.translateAll("root=/dev/xvda2 ro resume=/dev/xvda1"));
    }

    @Test
    void wholeDiskPartitionsFollowTheirDisk() {
        DeviceMap map = DeviceMap.of(guest(VirtType.PV, disk("xvda"), disk("xvdb")));
        assertEquals(Optional.of("/dev/vda1"), map.translate("/dev/xvda1"));
        assertEquals(Optional.of("/dev/vdb"), map.translate("/dev/xvdb"));
        // Old xenlinux kernels name an sda vdev /dev/sda, pvops kernels /dev/xvda.
        DeviceMap sd = DeviceMap.of(guest(VirtType.PV, disk("sda")));
        assertEquals(Optional.of("/dev/vda3"), sd.translate("/dev/sda3"));
        assertEquals(Optional.of("/dev/vda3"), sd.translate("/dev/xvda3"));
        assertEquals("/dev/sdcard stays", sd.translateAll("/dev/sdcard stays"));
    }

    @Test
    void hvmDisksWithVirtioDriversGoOnVirtioInXenOrderAndCdromsOnIde() {
        DeviceMap map = DeviceMap.of(guest(VirtType.HVM, disk("hda"), cdrom("hdc"), disk("hdb")), true);
        assertEquals("vda", map.forSourceIndex(0).kvmTarget());
        assertEquals("hdc", map.forSourceIndex(1).kvmTarget());
        assertEquals("ide", map.forSourceIndex(1).bus());
        assertEquals("vdb", map.forSourceIndex(2).kvmTarget());
        assertEquals(2, map.disks().size());
        assertEquals(Optional.of("/dev/vda1"), map.translate("/dev/hda1"));
    }

    @Test
    void emulatedHvmDisksKeepTheirIdeSlotAndNamesInTheGuest() {
        DeviceMap map = DeviceMap.of(guest(VirtType.HVM, disk("hda"), cdrom("hdc"), disk("hdb")), false);
        assertEquals(new DeviceMapping(0, "hda", "hda", "ide", false, false), map.forSourceIndex(0));
        assertEquals(new DeviceMapping(1, "hdc", "hdc", "ide", true, false), map.forSourceIndex(1));
        assertEquals(new DeviceMapping(2, "hdb", "hdb", "ide", false, false), map.forSourceIndex(2));
        // The guest's /dev/hda is still /dev/hda: nothing to rename.
        assertEquals(Optional.of("/dev/hda1"), map.translate("/dev/hda1"));
        assertEquals("root=/dev/hda1", map.translateAll("root=/dev/hda1"));
        assertEquals(List.of(), map.warnings());
    }

    @Test
    void emulatedXvdDisksTakeFreeIdeSlotsAndSdDisksGoOnSata() {
        DeviceMap map = DeviceMap.of(guest(VirtType.HVM, disk("xvda"), cdrom("hdc"), disk("sda"), disk("xvdb"),
                disk("xvdc"), disk("xvdd")), false);
        assertEquals("hda ide", target(map, 0));
        assertEquals("hdc ide", target(map, 1));
        assertEquals("sda sata", target(map, 2));
        assertEquals("hdb ide", target(map, 3));
        assertEquals("hdd ide", target(map, 4));
        assertEquals("sdb sata", target(map, 5));
    }

    @Test
    void followRenamesKvmPathsOfTheSameSourceDisk() {
        SourceGuest g = guest(VirtType.HVM, disk("hda"), disk("hdb"));
        DeviceMap emulated = DeviceMap.of(g, false);
        DeviceMap virtio = DeviceMap.of(g, true);
        assertEquals("/dev/vda1", virtio.follow("/dev/hda1", emulated));
        assertEquals("/dev/vdb", virtio.follow("/dev/hdb", emulated));
        assertEquals("/dev/hdz1", virtio.follow("/dev/hdz1", emulated));
    }

    private static String target(DeviceMap map, int index) {
        DeviceMapping m = map.forSourceIndex(index);
        return m.kvmTarget() + " " + m.bus();
    }

    @Test
    void floppiesAreLeftOutWithAWarning() {
        DeviceMap map = DeviceMap.of(guest(VirtType.HVM, disk("hda"), disk("fda")));
        assertEquals(1, map.mappings().size());
        assertTrue(map.warnings().contains("floppy fda (/img/fda) is not carried over; attach it by hand if needed"),
                map.warnings().toString());
    }

    @Test
    void refusesDuplicateAndUndecodableVdevs() {
        Xen2KvmException dup = assertThrows(Xen2KvmException.class,
                () -> DeviceMap.of(guest(VirtType.PV, disk("xvda"), disk("51712"))));
        assertEquals("g.cfg: disk 51712 is attached twice; each vdev may appear once", dup.getMessage());
        Xen2KvmException bad = assertThrows(Xen2KvmException.class, () -> DeviceMap.of(guest(VirtType.PV, disk("vda"))));
        assertTrue(bad.getMessage().startsWith("g.cfg: disk vda (/img/vda): not a Xen device name"), bad.getMessage());
    }
}
