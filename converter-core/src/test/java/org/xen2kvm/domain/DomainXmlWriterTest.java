package org.xen2kvm.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.plan.ConversionPlanner;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.image.DiskFormat;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGraphics;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceNic;
import org.xen2kvm.xen.VirtType;
import org.xen2kvm.testutil.ExternalTool;

/** Golden-file tests of the domain XML, each also checked by libvirt's virt-xml-validate. */
class DomainXmlWriterTest {
    private static final Path OUT = Path.of("/srv/kvm");

    static SourceGuest xenToolsGuest() {
        SourceGuest.Builder b = SourceGuest.builder(ConfigFormat.XM, "/etc/xen/web1.cfg");
        b.name = "web1";
        b.uuid = "9a0c1d0e4b2f4d7e8f00112233445566";
        b.virtType = VirtType.PV;
        b.memoryMiB = 512L;
        b.maxMemoryMiB = 1024L;
        b.vcpus = 1;
        b.maxVcpus = 2;
        b.kernel = "/boot/vmlinuz-6.1.0-13-amd64";
        b.ramdisk = "/boot/initrd.img-6.1.0-13-amd64";
        b.root = "/dev/xvda2 ro";
        b.extra = "elevator=noop console=hvc0";
        b.onCrash = "restart";
        b.disks.add(new SourceDisk("/xen/domains/web1/disk.img", DiskFormat.RAW, true, "xvda2", false, false, false, "file", false));
        b.disks.add(new SourceDisk("/xen/domains/web1/swap.img", DiskFormat.RAW, true, "xvda1", false, false, false, "file", false));
        b.nics.add(new SourceNic("00:16:3e:00:00:0a", "xenbr0", null, null, "10.0.0.2", null, null, null));
        return b.build();
    }

    static SourceGuest hvmGuest() {
        SourceGuest.Builder b = SourceGuest.builder(ConfigFormat.XL, "/etc/xen/win.cfg");
        b.name = "win";
        b.uuid = "c7a5fdb2-cdaf-9455-926a-d65c16db1809";
        b.virtType = VirtType.HVM;
        b.memoryMiB = 2048L;
        b.vcpus = 2;
        b.bootOrder = "dc";
        b.localtime = true;
        b.onPoweroff = "preserve";
        b.disks.add(new SourceDisk("/dev/vg0/win", DiskFormat.RAW, true, "hda", false, false, false, "phy", true));
        b.disks.add(new SourceDisk("/iso/setup.iso", DiskFormat.RAW, true, "hdc", true, true, false, "file", false));
        b.nics.add(new SourceNic("00:16:3E:11:22:33".toLowerCase(), "xenbr1", "e1000", "ioemu", null, null, null, null));
        b.graphics.add(new SourceGraphics("vnc", "0.0.0.0", 5901, "secret", "de"));
        b.graphics.add(new SourceGraphics("sdl", null, null, null, null));
        return b.build();
    }

    @Test
    void xenToolsPvGuestBootsItsKernelDirectly(@TempDir Path tmp) throws Exception {
        PlanOptions opts = new PlanOptions(DomainType.KVM, OUT, OutputFormat.QCOW2, Map.of(), Map.of(), false, null);
        String xml = DomainXmlWriter.write(ConversionPlanner.plan(xenToolsGuest(), opts).target());
        assertGolden("pv-direct-kernel.xml", xml);
        validate(tmp, xml);
    }

    /**
     * Planned from the definition alone, nothing is known of the guest's drivers: the disk
     * stays on IDE as hda and the NIC stays e1000, each with a note.
     */
    @Test
    void hvmGuestKeepsBootOrderGraphicsMappedNetworkAndEmulatedDevices(@TempDir Path tmp) throws Exception {
        PlanOptions opts = new PlanOptions(DomainType.QEMU, OUT, OutputFormat.RAW, Map.of(), Map.of("xenbr1", "default"), false, null);
        var plan = ConversionPlanner.plan(hvmGuest(), opts);
        String xml = DomainXmlWriter.write(plan.target());
        assertGolden("hvm-qemu.xml", xml);
        validate(tmp, xml);
        assertEquals(List.of(
                "disk hda kept on IDE as hda: the guest was not inspected, so nothing is known of its virtio drivers",
                "NIC 00:16:3e:11:22:33 kept as e1000: the guest was not inspected, so nothing is known of its virtio drivers",
                "graphics type sdl has no libvirt/KVM equivalent here and is dropped",
                "on_poweroff=preserve is not supported by KVM; using destroy"), plan.warnings());
    }

    static void assertGolden(String name, String actual) throws IOException {
        try (InputStream in = DomainXmlWriterTest.class.getResourceAsStream("expected/" + name)) {
            if (in == null) {
                Path p = Path.of("src/test/resources/org/xen2kvm/domain/expected", name);
                Files.writeString(p, actual);
                throw new AssertionError("golden file " + name + " was missing; wrote it, review and re-run");
            }
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual);
        }
    }

    static void validate(Path tmp, String xml) throws Exception {
        Path f = tmp.resolve("domain.xml");
        Files.writeString(f, xml);
        ExternalTool.Result r = ExternalTool.run(List.of("virt-xml-validate", f.toString(), "domain"));
        assertEquals(0, r.exitCode(), r.output() + "\n" + xml);
    }
}
