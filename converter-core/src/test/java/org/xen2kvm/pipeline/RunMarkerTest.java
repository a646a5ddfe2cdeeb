package org.xen2kvm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.plan.PlanOptions;

/**
 * The run marker: what a run killed after some renames left is converted again by the same
 * command, a finished conversion is still protected, and two runs at once do not mix.
 * (KillResumeIT kills real runs; these are the same states made by hand.)
 */
class RunMarkerTest {
    private static final String MARKER = "demo.xen2kvm-incomplete";

    static ConversionRequest request(Path cfg, Path out) {
        PlanOptions plan = new PlanOptions(org.xen2kvm.kvm.DomainType.QEMU, out, org.xen2kvm.image.write.OutputFormat.RAW, Map.of(), Map.of(), false, null);
        return new ConversionRequest(cfg, null, plan, false, false, new CopyOptions(false, false), false, null,
                false, false, null);
    }

    @Test
    void finishedOutputsOfARunKilledBeforeItsEndAreConvertedAgain(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = Files.createDirectories(dir.resolve("kvm"));
        Converter.run(request(cfg, dir.resolve("clean")), ConversionListener.NONE);
        // Killed after the kernel and the first disk were renamed into place.
        Files.writeString(out.resolve("demo-vmlinuz"), "left by kill -9");
        Files.writeString(out.resolve("demo-vda.raw"), "left by kill -9");
        Files.writeString(out.resolve("demo-vdb.raw.part"), "left by kill -9");
        Files.writeString(out.resolve(MARKER), "demo-vda.raw\ndemo-vdb.raw\ndemo.xml\ndemo-vmlinuz\ndemo-initrd.img\n");
        Converter.run(request(cfg, out), ConversionListener.NONE);
        assertFalse(Files.exists(out.resolve(MARKER)));
        assertFalse(Files.exists(out.resolve("demo-vdb.raw.part")));
        for (String f : new String[] {"demo-vmlinuz", "demo-vdb.raw", "demo-initrd.img"}) {
            assertEquals(-1L, Files.mismatch(dir.resolve("clean").resolve(f), out.resolve(f)), f);
        }
        // The edited root differs in the edit times only (KillResumeIT fixes them and compares bytes).
        assertEquals(Files.size(dir.resolve("clean/demo-vda.raw")), Files.size(out.resolve("demo-vda.raw")));
    }

    @Test
    void aFinishedConversionIsStillRefusedAndKept(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = dir.resolve("kvm");
        Converter.run(request(cfg, out), ConversionListener.NONE);
        assertFalse(Files.exists(out.resolve(MARKER)));
        String xml = Files.readString(out.resolve("demo.xml"));
        Xen2KvmException e = assertThrows(Xen2KvmException.class,
                () -> Converter.run(request(cfg, out), ConversionListener.NONE));
        assertTrue(e.getMessage().contains("output exists"), e.getMessage());
        assertEquals(xml, Files.readString(out.resolve("demo.xml")));
        assertFalse(Files.exists(out.resolve(MARKER)), "a refused run left its marker");
    }

    @Test
    void aMarkerRemovesOnlyFilesTheRunWouldWrite(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = Files.createDirectories(dir.resolve("kvm"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        Files.writeString(out.resolve(MARKER), "notes.txt\n../xen/disk.img\n");
        Converter.run(request(cfg, out), ConversionListener.NONE);
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        assertTrue(Files.exists(dir.resolve("xen/disk.img")));
    }

    @Test
    void aSecondRunWhileTheFirstHoldsTheMarkerIsRefused(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = Files.createDirectories(dir.resolve("kvm"));
        Path marker = out.resolve(MARKER);
        try (FileChannel held = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             var lock = held.lock()) {
            Files.writeString(out.resolve("demo-vmlinuz"), "being written by the first run");
            Xen2KvmException e = assertThrows(Xen2KvmException.class,
                    () -> Converter.run(request(cfg, out), ConversionListener.NONE));
            assertTrue(e.getMessage().contains("another xen2kvm run"), e.getMessage());
            assertTrue(Files.exists(marker), "the first run's marker was removed");
            assertEquals("being written by the first run", Files.readString(out.resolve("demo-vmlinuz")));
        }
    }
}
