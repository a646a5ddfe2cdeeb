package org.xen2kvm.pipeline;

import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.image.write.CopyOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.plan.BootStrategy;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The whole pipeline on a small xen-tools style guest made with mkfs.ext4 -d: outputs are
 * checked by e2fsck, debugfs and qemu-img, the source by its SHA-256.
 */
class ConverterTest {

    /** Builds the demo guest with testdata/examples/make-example.sh and returns its config. */
    static Path demoGuest(Path dir) throws Exception {
        ExternalTool.require("mkfs.ext4");
        Path script = Path.of("..", "testdata", "examples", "make-example.sh").toAbsolutePath().normalize();
        ExternalTool.Result r = ExternalTool.run(List.of("bash", script.toString(), dir.toString()));
        assertEquals(0, r.exitCode(), r.output());
        return Path.of(r.output().strip().lines().reduce((a, b) -> b).orElseThrow());
    }

    static String sha256(Path p) throws Exception {
        return org.xen2kvm.testutil.Hashes.sha256(p);
    }

    static ConversionRequest request(Path cfg, Path out, String format, boolean dryRun, String uri) {
        PlanOptions plan = new PlanOptions(DomainType.QEMU, out, OutputFormat.valueOf(format.toUpperCase()), Map.of(), Map.of(), false, null);
        return new ConversionRequest(cfg, null, plan, dryRun, false, CopyOptions.DEFAULT, false, uri, false, false, null);
    }

    @Test
    void convertsEditsAndLeavesTheSourceAlone(@TempDir Path dir) throws Exception {
        Path cfg = demoGuest(dir.resolve("xen"));
        Path disk = cfg.resolveSibling("disk.img");
        String before = sha256(disk);
        Path out = dir.resolve("kvm");
        ConversionResult r = Converter.run(request(cfg, out, "raw", false, null), ConversionListener.NONE);
        assertEquals(before, sha256(disk));
        assertEquals(BootStrategy.DIRECT_KERNEL, r.plan().boot());
        Path vda = out.resolve("demo-vda.raw");
        assertTrue(r.outputs().contains(vda));
        ExternalTool.Result fsck = ExternalTool.run(List.of("e2fsck", "-fn", vda.toString()));
        assertEquals(0, fsck.exitCode(), fsck.output());
        ExternalTool.Result fstab = ExternalTool.run(List.of("debugfs", "-R", "cat /etc/fstab", vda.toString()));
        assertTrue(fstab.output().contains("/dev/vda        /       ext4"), fstab.output());
        assertTrue(fstab.output().contains("/dev/vdb        none    swap"), fstab.output());
        ExternalTool.Result getty = ExternalTool.run(List.of("debugfs", "-R",
                "ls /etc/systemd/system/getty.target.wants", vda.toString()));
        assertFalse(getty.output().contains("hvc0"), getty.output());
        // The kernel and initrd come from the guest's /boot.
        assertEquals("placeholder: the demo guest is converted, not booted\n", Files.readString(out.resolve("demo-vmlinuz")));
        assertTrue(Files.readString(out.resolve("demo.xml")).contains("<cmdline>root=/dev/vda ro"));
        ExternalTool.Result cmp = ExternalTool.run(List.of("qemu-img", "compare", "-f", "raw", "-F", "raw",
                cfg.resolveSibling("swap.img").toString(), out.resolve("demo-vdb.raw").toString()));
        assertEquals(0, cmp.exitCode(), cmp.output());
    }

    @Test
    void dryRunShowsDiffsAndWritesNothing(@TempDir Path dir) throws Exception {
        Path cfg = demoGuest(dir.resolve("xen"));
        String before = sha256(cfg.resolveSibling("disk.img"));
        Path out = dir.resolve("kvm");
        ConversionResult r = Converter.run(request(cfg, out, "qcow2", true, null), ConversionListener.NONE);
        assertNotNull(r.edits());
        String diff = r.edits().unifiedDiff();
        assertTrue(diff.contains("-/dev/xvda2      /       ext4    errors=remount-ro         0 1\n"
                + "-/dev/xvda1      none    swap    sw                        0 0\n"
                + "+/dev/vda        /       ext4    errors=remount-ro         0 1\n"
                + "+/dev/vdb        none    swap    sw                        0 0\n"), diff);
        assertTrue(ConversionReport.text(r, true).contains("--- a/etc/fstab"));
        assertFalse(Files.exists(out));
        assertEquals(before, sha256(cfg.resolveSibling("disk.img")));
    }

    @Test
    void aFailedConversionRemovesItsOutputsAndTheDomain(@TempDir Path dir) throws Exception {
        Path cfg = demoGuest(dir.resolve("xen"));
        String before = sha256(cfg.resolveSibling("disk.img"));
        Path out = dir.resolve("kvm");
        // The second disk's output path is taken by a directory: the copy fails half way.
        Files.createDirectories(out.resolve("demo-vdb.qcow2.part").resolve("blocker"));
        assertThrows(Exception.class, () -> Converter.run(request(cfg, out, "qcow2", false, null), ConversionListener.NONE));
        assertFalse(Files.exists(out.resolve("demo-vda.qcow2")));
        assertFalse(Files.exists(out.resolve("demo-vmlinuz")));
        assertFalse(Files.exists(out.resolve("demo.xml")));
        assertEquals(before, sha256(cfg.resolveSibling("disk.img")));
    }

    @Test
    void existingOutputsAreRefusedBeforeAnyWork(@TempDir Path dir) throws Exception {
        Path cfg = demoGuest(dir.resolve("xen"));
        Path out = dir.resolve("kvm");
        Files.createDirectories(out);
        Files.writeString(out.resolve("demo-vda.qcow2"), "keep me");
        Xen2KvmException e = assertThrows(Xen2KvmException.class,
                () -> Converter.run(request(cfg, out, "qcow2", false, null), ConversionListener.NONE));
        assertEquals(out.resolve("demo-vda.qcow2").toAbsolutePath() + ": output exists; remove it or use --force",
                e.getMessage());
        assertEquals("keep me", Files.readString(out.resolve("demo-vda.qcow2")));
    }

    @Test
    void registersWithLibvirtsTestDriver(@TempDir Path dir) throws Exception {
        Path cfg = demoGuest(dir.resolve("xen"));
        ConversionResult r = Converter.run(request(cfg, dir.resolve("kvm"), "qcow2", false, "test:///default"),
                ConversionListener.NONE);
        assertEquals("demo", r.registered());
    }
}
