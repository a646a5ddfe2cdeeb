package org.xen2kvm.config;

import org.xen2kvm.config.read.GuestDefinitionReader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xen2kvm.image.DiskFormat;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceNic;
import org.xen2kvm.testutil.SharedCorpus;

/**
 * The model fields the JSON dump does not show (platform flags, boot order, CPU pinning,
 * serial, PCI, disk driver/sharing, NIC script/type/vifname/rate), on the golden fixtures.
 */
class XlMappingDetailsTest {
    private static SourceGuest read(String reader, String name) throws IOException {
        return GuestDefinitionReader.read(GoldenFixtures.folder(reader).resolve(name), null);
    }

    @Test
    void hvmPlatformBootCpuSerialAndPci() throws IOException {
        SourceGuest g = read("xl", "hvm-full.cfg");
        assertEquals("dcn", g.bootOrder());
        assertEquals(Boolean.TRUE, g.acpi());
        assertEquals(Boolean.TRUE, g.apic());
        assertEquals(Boolean.FALSE, g.pae());
        assertEquals(Boolean.TRUE, g.localtime());
        assertEquals("[\"2\", \"3-8,^5\"]", g.cpus());
        assertEquals(512, g.cpuWeight());
        assertEquals(List.of("pty"), g.serials());
        assertEquals(List.of("0000:02:00.0,permissive=1", "03:00.1@08"), g.pciDevices());
        SourceNic nic = g.nics().get(0);
        assertEquals(new SourceNic("00:16:3e:01:02:03", "xenbr0", "e1000", "ioemu", "10.0.0.2 10.0.0.3",
                "vif-bridge", "hvmfull0", "10MB/s"), nic);
        assertEquals("secret", g.graphics().get(0).password());
        assertEquals("de", g.graphics().get(0).keymap());
    }

    @Test
    void legacyDiskDriversFormatsAndSharing() throws IOException {
        List<SourceDisk> d = read("xl", "xm-disks-legacy.cfg").disks();
        assertEquals(new SourceDisk("/srv/xen/a.img", DiskFormat.RAW, true, "hda", false, false, false, "file", false),
                d.get(0));
        assertEquals(new SourceDisk("/dev/vg0/b", DiskFormat.RAW, true, "hdb", false, false, true, "phy", true), d.get(1));
        assertEquals("tap", d.get(2).driver());
        assertEquals("tap2", d.get(6).driver());
        assertEquals(new SourceDisk(null, null, false, "hdd", true, true, false, "phy", true), d.get(9));
        assertEquals(new SourceDisk("/dev/vg0/noprefix", DiskFormat.RAW, true, "xvdi", false, false, false, "phy", true),
                d.get(11));
    }

    @Test
    void xlDiskBackendTypeAndDefaults() throws IOException {
        List<SourceDisk> d = read("xl", "disks-xl.cfg").disks();
        assertEquals(new SourceDisk("/dev/vg/guest-volume", DiskFormat.RAW, true, "hda", false, false, false, null,
                false), d.get(0));
        assertEquals(new SourceDisk("/dev/mapper/with,comma:colon", DiskFormat.RAW, true, "xvde", false, false, false,
                "phy", true), d.get(5));
        assertTrue(d.get(3).cdrom());
        assertFalse(d.get(8).readOnly());
    }

    @Test
    void scriptPrefixTargetsAreKeptAsWritten() throws IOException {
        List<SourceDisk> d = GuestDefinitionReader.read(
                java.nio.file.Path.of(SharedCorpus.root().toString(), "xen/historical-xend/xmexample.nbd"), null).disks();
        assertEquals("134.100.233.115 20004", d.get(0).path());
        assertEquals("nbd", d.get(0).driver());
    }

    @Test
    void sxpPlatformAndPci() throws IOException {
        SourceGuest pv = read("sxp", "domain-pv.sxp");
        assertEquals(List.of("0000:02:1b.3"), pv.pciDevices());
        assertEquals(256, pv.cpuWeight());
        SourceGuest hvm = read("sxp", "vm-hvm.sxp");
        assertEquals("dc", hvm.bootOrder());
        assertEquals(Boolean.TRUE, hvm.acpi());
        assertEquals(Boolean.FALSE, hvm.apic());
        assertEquals(Boolean.TRUE, hvm.localtime());
        assertEquals(List.of("pty"), hvm.serials());
        assertTrue(hvm.disks().get(0).shareable());
    }

    @Test
    void libvirtPlatformAndPci() throws IOException {
        SourceGuest g = read("libvirt", "hvm.xml");
        assertEquals("dc", g.bootOrder());
        assertEquals(Boolean.TRUE, g.localtime());
        assertEquals(Boolean.TRUE, g.pae());
        assertEquals(List.of("0000:01:1a.1"), g.pciDevices());
    }
}
