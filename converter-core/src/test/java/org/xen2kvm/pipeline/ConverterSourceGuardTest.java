package org.xen2kvm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.image.write.OutputIsSourceException;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.testutil.ExternalTool;

/**
 * {@code convert} with {@code --force} never writes a file it reads: a guest disk, a backing
 * file of one, or the definition, whatever name leads the output there.
 */
class ConverterSourceGuardTest {

    private static ConversionRequest forced(Path cfg, Path out) {
        PlanOptions plan = new PlanOptions(DomainType.QEMU, out, OutputFormat.RAW, Map.of(), Map.of(), false, null);
        return new ConversionRequest(cfg, null, plan, false, false, new CopyOptions(true, false), false, null,
                false, false, null);
    }

    private static void assertRefused(Path cfg, Path out, Path source) throws Exception {
        Path disk = cfg.resolveSibling("disk.img");
        String diskBefore = ConverterTest.sha256(disk);
        String cfgBefore = ConverterTest.sha256(cfg);
        OutputIsSourceException e = assertThrows(OutputIsSourceException.class,
                () -> Converter.run(forced(cfg, out), ConversionListener.NONE));
        assertTrue(e.getMessage().contains("the source file " + source), e.getMessage());
        assertEquals(diskBefore, ConverterTest.sha256(disk));
        assertEquals(cfgBefore, ConverterTest.sha256(cfg));
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".part")));
        }
    }

    @Test
    void aDiskOutputThatIsASymlinkToTheGuestDisk(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = Files.createDirectories(dir.resolve("kvm"));
        Files.createSymbolicLink(out.resolve("demo-vda.raw"), cfg.resolveSibling("disk.img"));
        assertRefused(cfg, out, cfg.resolveSibling("disk.img"));
    }

    @Test
    void anOutputDirectoryThatIsTheSourceDirectoryThroughDotDot(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        // Output names that happen to be a source's name, reached through "..".
        Files.move(cfg.resolveSibling("disk.img"), cfg.resolveSibling("demo-vda.raw"));
        Files.writeString(cfg, Files.readString(cfg).replace("disk.img", "demo-vda.raw"));
        Path out = Files.createDirectories(dir.resolve("kvm")).resolve("..").resolve("xen");
        Files.copy(cfg.resolveSibling("demo-vda.raw"), cfg.resolveSibling("disk.img"));
        assertRefused(cfg, out, cfg.resolveSibling("demo-vda.raw"));
    }

    @Test
    void theDomainXmlAsAHardLinkToTheDefinition(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = Files.createDirectories(dir.resolve("kvm"));
        Files.createLink(out.resolve("demo.xml"), cfg);
        assertRefused(cfg, out, cfg);
    }

    @Test
    void theKernelOutputAsASymlinkToTheSwapDisk(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = Files.createDirectories(dir.resolve("kvm"));
        Files.createSymbolicLink(out.resolve("demo-vmlinuz"), cfg.resolveSibling("swap.img"));
        assertRefused(cfg, out, cfg.resolveSibling("swap.img"));
    }

    @Test
    void aBackingFileOfAGuestDisk(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path base = cfg.resolveSibling("disk.img");
        Path top = cfg.resolveSibling("top.qcow2");
        ExternalTool.Result r = ExternalTool.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw",
                "-b", "disk.img", top.toString()));
        assertEquals(0, r.exitCode(), r.output());
        Files.writeString(cfg, Files.readString(cfg).replace("file:" + base + ",", "qcow2:" + top + ","));
        assertTrue(Files.readString(cfg).contains("top.qcow2"), Files.readString(cfg));
        String topBefore = ConverterTest.sha256(top);
        Path out = Files.createDirectories(dir.resolve("kvm"));
        // Only the backing file, not the guest's disk as named, is behind this output.
        Files.createSymbolicLink(out.resolve("demo-vda.raw"), base);
        assertRefused(cfg, out, base);
        assertEquals(topBefore, ConverterTest.sha256(top));
        assertFalse(Files.exists(out.resolve("demo.xml")));
    }
}
