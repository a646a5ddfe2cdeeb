package org.xen2kvm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.guest.OsFamily;
import org.xen2kvm.plan.DeviceModelChoice;
import org.xen2kvm.plan.PlanOptions;

/** An HVM guest's devices in a dry run, from its disks: Windows, and a disk that cannot be read. */
class HvmDevicesTest {
    private static final int SECTOR = 512;
    private static final int PART_START = 2048;

    /** An MBR disk with one partition of type 0x07 holding an NTFS boot sector. */
    static void windowsDisk(Path img) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 << 20).order(ByteOrder.LITTLE_ENDIAN);
        int entry = 446;
        b.put(entry, (byte) 0x80);
        b.put(entry + 4, (byte) 0x07);
        b.putInt(entry + 8, PART_START);
        b.putInt(entry + 12, (4 << 20) / SECTOR - PART_START);
        b.put(510, (byte) 0x55).put(511, (byte) 0xaa);
        int boot = PART_START * SECTOR;
        b.put(boot, (byte) 0xeb).put(boot + 1, (byte) 0x52).put(boot + 2, (byte) 0x90);
        b.put(boot + 3, "NTFS    ".getBytes(StandardCharsets.US_ASCII));
        b.put(boot + 510, (byte) 0x55).put(boot + 511, (byte) 0xaa);
        Files.write(img, b.array());
    }

    private static ConversionResult dryRun(Path cfg, Path out) throws Exception {
        PlanOptions plan = new PlanOptions(DomainType.QEMU, out, OutputFormat.QCOW2, Map.of(), Map.of(), false, null);
        return Converter.run(new ConversionRequest(cfg, null, plan, true, false, CopyOptions.DEFAULT, false, null, false,
                false, null), ConversionListener.NONE);
    }

    private static Path config(Path dir, String disk) throws Exception {
        Path cfg = dir.resolve("win.cfg");
        Files.writeString(cfg, "name = \"win\"\nbuilder = \"hvm\"\nmemory = 2048\n"
                + "disk = [ 'file:" + disk + ",hda,w', 'file:/iso/none.iso,hdc:cdrom,r' ]\n"
                + "vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0,model=e1000' ]\n");
        return cfg;
    }

    @Test
    void windowsGuestKeepsIdeAndE1000AndTheReportSaysNoDriversAreInstalled(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("win.img");
        windowsDisk(img);
        ConversionResult r = dryRun(config(dir, img.toString()), dir.resolve("kvm"));
        assertEquals(OsFamily.WINDOWS, r.inspected().os().family());
        assertTrue(r.domainXml().contains("<target dev=\"hda\" bus=\"ide\"/>"), r.domainXml());
        assertTrue(r.domainXml().contains("<model type=\"e1000\"/>"), r.domainXml());
        assertFalse(r.domainXml().contains("virtio\"/>\n        </interface>"), r.domainXml());
        String text = ConversionReport.text(r, true);
        assertTrue(text.contains(DeviceModelChoice.WINDOWS_NOTE), text);
        assertTrue(text.contains("disk hda kept on IDE as hda: Windows has no virtio drivers"), text);
        assertTrue(text.contains("hda      -> hda   (ide)"), text);
        assertTrue(ConversionReport.json(r, true).contains(DeviceModelChoice.WINDOWS_NOTE));
        assertFalse(Files.exists(dir.resolve("kvm")));
    }

    @Test
    void unreadableHvmDiskIsPlannedWithEmulatedDevices(@TempDir Path dir) throws Exception {
        ConversionResult r = dryRun(config(dir, dir.resolve("absent.img").toString()), dir.resolve("kvm"));
        assertTrue(r.domainXml().contains("<target dev=\"hda\" bus=\"ide\"/>"), r.domainXml());
        assertTrue(r.domainXml().contains("<model type=\"e1000\"/>"), r.domainXml());
        assertTrue(r.plan().warnings().contains("disk hda kept on IDE as hda: the guest was not inspected, so nothing"
                + " is known of its virtio drivers"), r.plan().warnings().toString());
    }
}
