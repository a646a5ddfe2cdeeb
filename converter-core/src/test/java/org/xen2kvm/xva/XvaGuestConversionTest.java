package org.xen2kvm.xva;

import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.image.write.CopyOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.pipeline.ConversionListener;
import org.xen2kvm.pipeline.ConversionRequest;
import org.xen2kvm.pipeline.ConversionResult;
import org.xen2kvm.pipeline.Converter;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.testutil.ExternalTool;

/**
 * A whole XenServer export converted from its .xva: the VM from ova.xml, the disk from its
 * checksummed chunks (plain tar read at random, compressed ones unpacked once), the guest
 * edited, the source untouched.
 */
class XvaGuestConversionTest {
    private static String member(String name, String value) {
        return "<member><name>" + name + "</name><value>" + value + "</value></member>";
    }

    private static String object(String cls, String id, String snapshot) {
        return "<value><struct>" + member("class", cls) + member("id", id)
                + member("snapshot", "<struct>" + snapshot + "</struct>") + "</struct></value>";
    }

    static String ovaXml(long diskSize) {
        String vm = member("name_label", "xs-web") + member("uuid", "3f0c2a1e-7d4b-4c55-9a1e-0123456789ab")
                + member("memory_static_max", "<string>536870912</string>") + member("VCPUs_max", "<string>1</string>")
                + member("VCPUs_at_startup", "<string>1</string>") + member("HVM_boot_policy", "")
                + member("PV_bootloader", "pygrub") + member("PV_kernel", "") + member("PV_args", "")
                + member("VBDs", "<array><data><value>Ref:3</value></data></array>")
                + member("VIFs", "<array><data><value>Ref:5</value></data></array>");
        String vbd = member("VM", "Ref:1") + member("VDI", "Ref:4") + member("device", "xvda")
                + member("userdevice", "0") + member("type", "Disk") + member("mode", "RW");
        String vdi = member("name_label", "root") + member("virtual_size", "<string>" + diskSize + "</string>");
        String vif = member("VM", "Ref:1") + member("device", "0") + member("MAC", "00:16:3e:5a:00:01")
                + member("network", "Ref:6");
        String net = member("name_label", "Pool-wide network") + member("bridge", "xenbr0");
        return "<?xml version=\"1.0\" ?><value><struct>" + member("version", "<struct>"
                + member("product_version", "7.1.0") + "</struct>")
                + member("objects", "<array><data>" + object("VM", "Ref:1", vm) + object("VBD", "Ref:3", vbd)
                + object("VDI", "Ref:4", vdi) + object("VIF", "Ref:5", vif) + object("network", "Ref:6", net)
                + "</data></array>") + "</struct></value>";
    }

    @ParameterizedTest
    @EnumSource(value = XvaArchive.Compression.class, names = {"NONE", "GZIP"})
    void convertsAWholeExport(XvaArchive.Compression compression, @TempDir Path dir) throws Exception {
        ExternalTool.require("mkfs.ext4");
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/fstab"), "/dev/xvda / ext4 defaults 0 1\n");
        Files.writeString(tree.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n");
        Path fs = dir.resolve("root.ext4");
        ExternalTool.Result mk = ExternalTool.run(List.of("mkfs.ext4", "-F", "-q", "-d", tree.toString(), fs.toString(), "16M"));
        assertEquals(0, mk.exitCode(), mk.output());
        byte[] disk = Files.readAllBytes(fs);
        Path xva = new XvaTestArchive().disk("Ref:4", disk).ovaXml(ovaXml(disk.length)).compression(compression)
                .write(dir.resolve("xs-web.xva"));
        String before = org.xen2kvm.testutil.Hashes.sha256(xva);

        Path out = dir.resolve("kvm");
        PlanOptions plan = new PlanOptions(DomainType.QEMU, out, OutputFormat.QCOW2, Map.of(), Map.of(), false, null);
        ConversionResult r = Converter.run(new ConversionRequest(xva, null, plan, false, false, CopyOptions.DEFAULT, false,
                null, false, false, null), ConversionListener.NONE);

        assertEquals(before, org.xen2kvm.testutil.Hashes.sha256(xva));
        assertEquals("xs-web", r.plan().target().name());
        assertEquals("00:16:3e:5a:00:01", r.plan().target().nics().get(0).mac());
        Path qcow2 = out.resolve("xs-web-vda.qcow2");
        ExternalTool.Result check = ExternalTool.run(List.of("qemu-img", "check", qcow2.toString()));
        assertEquals(0, check.exitCode(), check.output());
        Path raw = dir.resolve("check.raw");
        assertEquals(0, ExternalTool.run(List.of("qemu-img", "convert", "-O", "raw", qcow2.toString(), raw.toString())).exitCode());
        ExternalTool.Result fsck = ExternalTool.run(List.of("e2fsck", "-fn", raw.toString()));
        assertEquals(0, fsck.exitCode(), fsck.output());
        ExternalTool.Result fstab = ExternalTool.run(List.of("debugfs", "-R", "cat /etc/fstab", raw.toString()));
        assertTrue(fstab.output().matches("(?s).*\\n/dev/vda +/ ext4 defaults 0 1\\n.*"), fstab.output());
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("unpacked")), "scratch file left behind");
        }
    }
}
