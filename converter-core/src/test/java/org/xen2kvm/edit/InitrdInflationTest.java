package org.xen2kvm.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.GuestTrees;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.plan.KernelCmdlineTest;

/**
 * One conversion's inspection and guest edits inflate each initrd at most once: inspection lists
 * the default kernel's, {@link InitrdFileEdit} rewrites lvm.conf in both, {@link InitramfsCheck}
 * decides on a rebuild of both and judges them, all through the guest's {@code InitrdCache}.
 * Before, each was inflated up to three times (inspection or the listing, InitrdFileEdit, the rebuild check).
 */
class InitrdInflationTest {
    private static final String XVD_ONLY = "devices {\n    filter = [ \"a|^/dev/xvd.*|\", \"r|.*|\" ]\n}\n";
    private static final String NEW = "/boot/initrd.img-6.1.0-18-amd64";
    private static final String OLD = "/boot/initrd.img-6.1.0-9-amd64";

    private static byte[] initrd() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("init", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        files.put("conf/initramfs.conf", "MODULES=most\n".getBytes(StandardCharsets.UTF_8));
        files.put("etc/lvm/lvm.conf", XVD_ONLY.getBytes(StandardCharsets.UTF_8));
        files.put("usr/lib/modules/6.1.0-18-amd64/kernel/drivers/block/virtio_blk.ko", new byte[1000]);
        files.put("usr/lib/modules/6.1.0-18-amd64/kernel/drivers/virtio/virtio_pci.ko", new byte[1000]);
        return GuestTrees.gzip(GuestTrees.cpio(files));
    }

    /** lvm.conf inside a gzip initrd, read by commons-compress and java.util.zip (not our reader). */
    private static String lvmConf(byte[] gzipped) throws Exception {
        try (CpioArchiveInputStream in = new CpioArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(gzipped)))) {
            CpioArchiveEntry e;
            while ((e = in.getNextCPIOEntry()) != null) {
                if (e.getName().equals("etc/lvm/lvm.conf")) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError("no etc/lvm/lvm.conf");
    }

    @Test
    void inspectionAndEditsInflateEachInitrdOnce() throws Exception {
        MemoryFileSystem fs = GuestTrees.debianXenTools();
        fs.writeFile(NEW, initrd(), 0644, 0, 0);
        fs.writeFile(OLD, initrd(), 0644, 0, 0);
        fs.mkdirs("/etc/lvm");
        fs.writeText("/etc/lvm/lvm.conf", XVD_ONLY);
        InspectedGuest guest = GuestInspector.inspect(fs);
        ConversionContext ctx = new ConversionContext(KernelCmdlineTest.map("xvda2", "xvda1"), guest, false, Map.of(),
                List.of(), "ttyS0");

        EditReport report = GuestEditor.applyAll(fs, ctx);

        assertEquals(Map.of(NEW, 1, OLD, 1), guest.initrds().inflations(), report.notes().toString());
        // The edits did read the images: lvm.conf rewritten in both, both judged from their listing.
        for (String path : List.of(NEW, OLD)) {
            String conf = lvmConf(fs.readFile(path, 1 << 20));
            assertTrue(conf.contains("/dev/vd"), path + ": " + conf);
            assertTrue(report.notes().get("initramfs-lvm").contains(path + ": etc/lvm/lvm.conf rewritten inside the initramfs"),
                    report.notes().toString());
            assertTrue(report.notes().get("initramfs").contains(path + ": has virtio_blk and virtio_pci"), report.notes().toString());
        }
    }
}
