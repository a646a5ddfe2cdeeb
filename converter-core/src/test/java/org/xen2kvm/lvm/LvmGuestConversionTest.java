package org.xen2kvm.lvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.pipeline.ConversionListener;
import org.xen2kvm.pipeline.ConversionRequest;
import org.xen2kvm.pipeline.ConversionResult;
import org.xen2kvm.pipeline.Converter;
import org.xen2kvm.pipeline.GuestInspection;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.testutil.ExternalTool;
import org.xen2kvm.testutil.Hashes;

/**
 * A guest laid out as RHEL installs it: the disk's partition 1 is an LVM PV holding
 * {@code VolGroup00/LogVol00} (ext4, the root, named so in fstab) and {@code LogVol01}. The
 * image is made with the real lvm2 tools and mkfs.ext4 at the LV's offset; the conversion must
 * find the root on the LV, edit it there (through the overlay) and leave the source alone.
 */
class LvmGuestConversionTest {
    @TempDir
    static Path dir;
    private static Path cfg;
    private static Path disk;
    private static long rootOffset;
    private static long rootSize;

    @BeforeAll
    static void buildGuest() throws Exception {
        LvmOracle.requireTools();
        ExternalTool.require("sfdisk", "mkfs.ext4");
        Path tree = dir.resolve("tree");
        copyTree(Path.of("..", "testdata", "examples", "demo-root").toAbsolutePath().normalize(), tree);
        Files.writeString(tree.resolve("etc/fstab"), "/dev/VolGroup00/LogVol00 / ext4 errors=remount-ro 0 1\n"
                + "/dev/mapper/VolGroup00-LogVol01 none swap sw 0 0\n");
        disk = dir.resolve("disk.img");
        long partStart = 1 << 20;
        try (LvmOracle o = new LvmOracle()) {
            LvmOracle.ok(List.of("truncate", "-s", "160M", disk.toString()));
            ExternalTool.Result sf = ExternalTool.run(List.of("sh", "-c", "echo 'start=2048, type=8e' | sfdisk -q " + disk));
            assertEquals(0, sf.exitCode(), sf.output());
            String loop = LvmOracle.ok(List.of("losetup", "-f", "--show", "-o", Long.toString(partStart), disk.toString()))
                    .strip();
            o.adopt(loop);
            o.lvm("pvcreate", loop);
            o.lvm("vgcreate", "-s", "4M", "VolGroup00", loop);
            o.lvcreate("-L", "96M", "-n", "LogVol00", "VolGroup00");
            o.lvcreate("-L", "16M", "-n", "LogVol01", "VolGroup00");
            List<Map<String, String>> pvs = o.report("pvs", "pv", "pe_start");
            List<Map<String, String>> lvs = o.report("lvs", "lv", "lv_name,lv_size,seg_pe_ranges");
            Map<String, String> root = lvs.stream().filter(r -> r.get("lv_name").equals("LogVol00")).findFirst()
                    .orElseThrow();
            long pe = Long.parseLong(root.get("seg_pe_ranges").replaceAll(".*:(\\d+)-\\d+", "$1"));
            rootOffset = partStart + Long.parseLong(pvs.get(0).get("pe_start")) + pe * (4L << 20);
            rootSize = Long.parseLong(root.get("lv_size"));
        }
        ExternalTool.Result mkfs = ExternalTool.run(List.of("mkfs.ext4", "-q", "-F", "-L", "lvroot", "-d", tree.toString(),
                "-E", "offset=" + rootOffset, disk.toString(), (rootSize / 1024) + "k"));
        assertEquals(0, mkfs.exitCode(), mkfs.output());
        cfg = dir.resolve("lvm.cfg");
        Files.writeString(cfg, "name = 'rhel-lvm'\nmemory = 256\nkernel = '/boot/vmlinuz-6.1.0-28-amd64'\n"
                + "ramdisk = '/boot/initrd.img-6.1.0-28-amd64'\nroot = '/dev/VolGroup00/LogVol00 ro'\n"
                + "extra = 'console=xvc0'\ndisk = [ 'file:" + disk + ",xvda,w' ]\n");
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(t, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    @Test
    void inspectionFindsTheRootOnTheLogicalVolume() throws Exception {
        GuestInspection.Result r = GuestInspection.run(cfg, null, false);
        assertTrue(r.volumes().stream().anyMatch(v -> v.startsWith("/dev/VolGroup00/LogVol00 ") && v.contains("(ext4)")), r.volumes().toString());
        assertTrue(r.guest() != null && r.guest().os() != null, "no OS found on the LV: " + r.warnings());
        assertEquals("debian", r.guest().os().id());
    }

    @Test
    void conversionEditsTheRootInsideTheLogicalVolume() throws Exception {
        String before = Hashes.sha256(disk);
        Path out = dir.resolve("kvm");
        PlanOptions plan = new PlanOptions(DomainType.QEMU, out, OutputFormat.RAW, Map.of(), Map.of(), false, null);
        ConversionResult r = Converter.run(new ConversionRequest(cfg, null, plan, false, false, CopyOptions.DEFAULT,
                false, null, false, false, null), ConversionListener.NONE);
        assertEquals(before, Hashes.sha256(disk), "the source changed");
        assertTrue(r.edits() != null && !r.edits().changes().isEmpty(), "no edits were made");
        // The LV as lvm2 laid it out, cut out of the converted disk: a clean ext4 with the edits.
        Path lv = dir.resolve("lv.img");
        LvmOracle.ok(List.of("dd", "if=" + out.resolve("rhel-lvm-vda.raw"), "of=" + lv, "bs=1M",
                "skip=" + rootOffset, "count=" + rootSize, "iflag=skip_bytes,count_bytes", "status=none"));
        ExternalTool.Result fsck = ExternalTool.run(List.of("e2fsck", "-fn", lv.toString()));
        assertEquals(0, fsck.exitCode(), fsck.output());
        ExternalTool.Result fstab = ExternalTool.run(List.of("debugfs", "-R", "cat /etc/fstab", lv.toString()));
        assertTrue(fstab.output().contains("/dev/VolGroup00/LogVol00 / ext4"), "LV names stay: " + fstab.output());
        assertTrue(r.plan().target().directBoot() == null
                || r.plan().target().directBoot().cmdline().contains("root=/dev/VolGroup00/LogVol00"),
                r.plan().target().directBoot() + "");
    }
}
