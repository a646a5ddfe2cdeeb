package org.xen2kvm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.plan.BootMode;
import org.xen2kvm.plan.BootRequest;
import org.xen2kvm.plan.BootStrategy;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.testutil.StrictJson;

/** {@code --boot direct} and {@code --boot disk} on the demo guest (a dom0-kernel guest with a kernel in /boot). */
class BootModeTest {

    private static ConversionResult dryRun(Path cfg, Path out, BootRequest boot) throws Exception {
        PlanOptions plan = new PlanOptions(DomainType.QEMU, out, OutputFormat.QCOW2, Map.of(), Map.of(), false, null);
        return Converter.run(new ConversionRequest(cfg, null, plan, true, false, CopyOptions.DEFAULT, false, null, false,
                false, null, new DiskDestination.LocalFiles(), boot), ConversionListener.NONE);
    }

    @Test
    void directBootsTheChosenGuestKernelAndDiskForcesTheBootloader(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        ConversionResult direct = dryRun(cfg, dir.resolve("a"), new BootRequest(BootMode.DIRECT, null, null, null, List.of()));
        assertEquals(BootStrategy.DIRECT_KERNEL, direct.plan().boot());
        assertEquals("direct kernel boot of the guest's /boot/vmlinuz-6.1.0-28-amd64 (--boot direct)", direct.plan().bootNote());
        assertEquals("root=/dev/vda ro elevator=noop console=tty0 console=ttyS0,115200",
                direct.plan().target().directBoot().cmdline());

        // The dry run's JSON carries each kernel's verdict and the choice (docs/inspect-json.md).
        @SuppressWarnings("unchecked")
        Map<String, Object> guest = (Map<String, Object>) ((Map<String, Object>) StrictJson.parse(
                ConversionReport.json(direct, true))).get("guest");
        @SuppressWarnings("unchecked")
        Map<String, Object> verdict = ((List<Map<String, Object>>) guest.get("kernelVerdicts")).get(0);
        assertEquals("6.1.0-28-amd64", verdict.get("version"));
        assertEquals(true, verdict.get("kvmCapable"));
        assertEquals("unknown", verdict.get("virtioBlk"));
        assertEquals(Map.of("release", "6.1.0-28-amd64", "kernel", "/boot/vmlinuz-6.1.0-28-amd64",
                "why", "the newest KVM-capable kernel"), guest.get("kernelChoice"));

        ConversionResult custom = dryRun(cfg, dir.resolve("b"),
                new BootRequest(BootMode.DIRECT, null, null, "root=/dev/vda quiet", List.of()));
        assertEquals("root=/dev/vda quiet", custom.plan().target().directBoot().cmdline());

        ConversionResult disk = dryRun(cfg, dir.resolve("c"), new BootRequest(BootMode.DISK, null, null, null, List.of()));
        assertEquals(BootStrategy.GUEST_BOOTLOADER, disk.plan().boot());
        assertNull(disk.plan().target().directBoot());
        assertTrue(disk.plan().warnings().contains("--boot disk: the boot disk has no boot code (Xen booted the guest"
                + " without it); install a bootloader in the guest or convert with --boot direct"), disk.plan().warnings().toString());
    }
}
