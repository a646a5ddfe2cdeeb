package org.xen2kvm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.testutil.Tmpfs;
import org.xen2kvm.plan.PlanOptions;

/** A run that fails part-way takes back everything it wrote, folders included; a killed run's leftovers do not stop the next. */
class ConverterDurabilityTest {

    private static ConversionRequest request(Path cfg, Path out, boolean force) {
        PlanOptions plan = new PlanOptions(DomainType.QEMU, out, OutputFormat.RAW, Map.of(), Map.of(), false, null);
        return new ConversionRequest(cfg, null, plan, false, false, new CopyOptions(force, false), false, null,
                false, false, null);
    }

    private static List<Path> tree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).sorted().toList();
        }
    }

    @Test
    void aFullDiskLeavesNothingNotEvenTheFoldersTheRunCreated(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        String before = ConverterTest.sha256(cfg.resolveSibling("disk.img"));
        Path mnt = Files.createDirectory(dir.resolve("small"));
        Tmpfs.mount(mnt, "128k");
        try {
            // The kernel and initrd fit; the disks (about 1 MiB of data) do not.
            Exception e = assertThrows(IOException.class,
                    () -> Converter.run(request(cfg, mnt.resolve("vms").resolve("demo"), false), ConversionListener.NONE));
            assertTrue(String.valueOf(e.getMessage()).contains("space") || e.toString().contains("space"), e.toString());
            assertEquals(List.of(), tree(mnt));
        } finally {
            Tmpfs.unmount(mnt);
        }
        assertEquals(before, ConverterTest.sha256(cfg.resolveSibling("disk.img")));
    }

    @Test
    void aLastWriteThatFailsTakesBackTheEarlierOnesAndTheFolders(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = dir.resolve("new").resolve("kvm");
        // The domain XML, written last, cannot be renamed over a non-empty directory.
        Files.createDirectories(out.resolve("demo.xml").resolve("in-the-way"));
        assertThrows(IOException.class, () -> Converter.run(request(cfg, out, true), ConversionListener.NONE));
        assertEquals(List.of(out.resolve("demo.xml"), out.resolve("demo.xml").resolve("in-the-way")), tree(out));
    }

    @Test
    void stalePartFilesOfAKilledRunAreCleanedUp(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = Files.createDirectories(dir.resolve("kvm"));
        for (String name : List.of("demo-vda.raw", "demo-vdb.raw", "demo.xml", "demo-vmlinuz", "demo-initrd.img")) {
            Files.writeString(out.resolve(name + ".part"), "left by kill -9");
        }
        Converter.run(request(cfg, out, false), ConversionListener.NONE);
        try (var s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".part")), tree(out).toString());
        }
        assertTrue(Files.exists(out.resolve("demo.xml")));
        assertFalse(Files.exists(out.resolve("demo-initrd.img.part")));
    }
}
