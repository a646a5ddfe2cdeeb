package org.xen2kvm.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xen2kvm.guest.BootloaderInfo;
import org.xen2kvm.guest.InitSystem;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.guest.KernelInfo;
import org.xen2kvm.guest.NetworkConfig;
import org.xen2kvm.guest.OsFamily;
import org.xen2kvm.guest.OsInfo;
import org.xen2kvm.guest.VirtioSupport;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.image.DiskFormat;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceNic;
import org.xen2kvm.xen.VirtType;
import org.xen2kvm.kvm.TargetDisk;

/** Which device model each disk and NIC gets, before and after inspection. */
class DeviceModelChoiceTest {
    private static final PlanOptions OPTS = PlanOptions.defaults(Path.of("/srv/kvm"));

    private static SourceGuest guest(VirtType type, String vdev, String nicModel) {
        SourceGuest.Builder b = SourceGuest.builder(ConfigFormat.XL, "/etc/xen/g.cfg");
        b.name = "g";
        b.virtType = type;
        b.memoryMiB = 1024L;
        b.disks.add(new SourceDisk("/xen/g.img", DiskFormat.RAW, true, vdev, false, false, false, "file", false));
        b.disks.add(new SourceDisk("/iso/x.iso", DiskFormat.RAW, true, "hdc", true, true, false, "file", false));
        b.nics.add(new SourceNic("00:16:3e:00:00:01", "xenbr0", nicModel, null, null, null, null, null));
        return b.build();
    }

    private static InspectedGuest linux(VirtioSupport v) {
        return new InspectedGuest(new OsInfo("debian", "12", "Debian GNU/Linux 12", OsFamily.DEBIAN),
                List.of(new KernelInfo("6.1.0-18-amd64", "/boot/vmlinuz-6.1.0-18-amd64", "/boot/initrd.img-6.1.0-18-amd64",
                        false)), BootloaderInfo.none(), null, InitSystem.SYSTEMD, new NetworkConfig(List.of(), List.of()),
                List.of(), v, List.of(), org.xen2kvm.guest.InitrdCache.empty());
    }

    private static String disk(ConversionPlan p) {
        TargetDisk d = p.target().disks().get(0);
        return d.targetDev() + " " + d.bus() + " " + d.sourcePath();
    }

    @Test
    void hvmNotInspectedKeepsIdeAndE1000WithNotes() {
        ConversionPlan p = ConversionPlanner.plan(guest(VirtType.HVM, "hda", "e1000"), OPTS);
        assertEquals("hda ide /srv/kvm/g-hda.qcow2", disk(p));
        assertEquals("hdc ide", p.target().disks().get(1).targetDev() + " " + p.target().disks().get(1).bus());
        assertEquals("e1000", p.target().nics().get(0).model());
        assertEquals(List.of(
                "disk hda kept on IDE as hda: the guest was not inspected, so nothing is known of its virtio drivers",
                "NIC 00:16:3e:00:00:01 kept as e1000: the guest was not inspected, so nothing is known of its virtio drivers"),
                p.deviceNotes());
        assertTrue(p.warnings().containsAll(p.deviceNotes()));
    }

    @Test
    void hvmWithoutModelKeepsXensDefaultRtl8139() {
        ConversionPlan p = ConversionPlanner.plan(guest(VirtType.HVM, "hda", null), OPTS);
        assertEquals("rtl8139", p.target().nics().get(0).model());
        assertTrue(p.deviceNotes().contains("NIC 00:16:3e:00:00:01 kept as rtl8139 (Xen's default for HVM guests):"
                + " the guest was not inspected, so nothing is known of its virtio drivers"), p.deviceNotes().toString());
    }

    @Test
    void inspectedLinuxWithVirtioDriversMovesToVirtio() {
        ConversionPlan before = ConversionPlanner.plan(guest(VirtType.HVM, "hda", "e1000"), OPTS);
        ConversionPlan p = DeviceModelChoice.apply(before, linux(new VirtioSupport("6.1.0-18-amd64",
                true, "/boot/initrd.img-6.1.0-18-amd64 has virtio_blk and virtio_pci",
                true, "kernel 6.1.0-18-amd64 has the virtio_net module")), false);
        // The output file keeps the name it was checked and opened under.
        assertEquals("vda virtio /srv/kvm/g-hda.qcow2", disk(p));
        assertEquals("vda", p.copies().get(0).targetDev());
        assertEquals("hdc", p.target().disks().get(1).targetDev());
        assertEquals("virtio", p.target().nics().get(0).model());
        assertEquals("/dev/vda1", p.deviceMap().translate("/dev/hda1").orElseThrow());
        assertEquals(List.of(
                "disk hda becomes virtio vda: /boot/initrd.img-6.1.0-18-amd64 has virtio_blk and virtio_pci",
                "NIC 00:16:3e:00:00:01 becomes virtio (was e1000): kernel 6.1.0-18-amd64 has the virtio_net module"),
                p.deviceNotes());
        for (String old : before.deviceNotes()) {
            assertFalse(p.warnings().contains(old), old);
        }
        // --keep-nic-model keeps the NIC model even so.
        ConversionPlan kept = DeviceModelChoice.apply(before, linux(new VirtioSupport("6.1.0-18-amd64",
                true, "b", true, "n")), true);
        assertEquals("e1000", kept.target().nics().get(0).model());
        assertTrue(kept.deviceNotes().contains("NIC 00:16:3e:00:00:01 kept as e1000: --keep-nic-model"));
    }

    @Test
    void inspectedLinuxWithoutVirtioBlkKeepsIde() {
        ConversionPlan p = DeviceModelChoice.apply(ConversionPlanner.plan(guest(VirtType.HVM, "hda", "e1000"), OPTS),
                linux(new VirtioSupport("2.6.18-8", false, "kernel 2.6.18-8 has no initrd and virtio_blk is not built in",
                        false, "kernel 2.6.18-8 has no virtio_net driver")), false);
        assertEquals("hda ide /srv/kvm/g-hda.qcow2", disk(p));
        assertEquals("e1000", p.target().nics().get(0).model());
        assertEquals("disk hda kept on IDE as hda: kernel 2.6.18-8 has no initrd and virtio_blk is not built in"
                + " (no virtio_blk driver)", p.deviceNotes().get(0));
    }

    @Test
    void windowsKeepsEmulatedDevicesAndSaysDriversAreNotInstalled() {
        ConversionPlan p = DeviceModelChoice.apply(ConversionPlanner.plan(guest(VirtType.HVM, "hda", "e1000"), OPTS),
                InspectedGuest.windows("/dev/hda1"), false);
        assertEquals("hda ide /srv/kvm/g-hda.qcow2", disk(p));
        assertEquals("e1000", p.target().nics().get(0).model());
        assertEquals(DeviceModelChoice.WINDOWS_NOTE, p.deviceNotes().get(0));
        assertTrue(p.warnings().contains(DeviceModelChoice.WINDOWS_NOTE));
        assertTrue(DeviceModelChoice.WINDOWS_NOTE.contains("xen2kvm does not install virtio drivers"));
    }

    @Test
    void pvGuestsGoToVirtioAsBefore() {
        SourceGuest pv = guest(VirtType.PV, "xvda", null);
        ConversionPlan p = ConversionPlanner.plan(pv, OPTS);
        assertEquals("vda virtio /srv/kvm/g-vda.qcow2", disk(p));
        assertEquals("virtio", p.target().nics().get(0).model());
        assertEquals(List.of(), p.deviceNotes());
        ConversionPlan after = DeviceModelChoice.apply(p, null, false);
        assertEquals(p.target(), after.target());
        assertEquals(p.warnings(), after.warnings());
    }
}
