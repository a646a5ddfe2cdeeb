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
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.plan.BootMode;
import org.xen2kvm.plan.BootRequest;
import org.xen2kvm.plan.BootStrategy;
import org.xen2kvm.plan.NoKvmKernelException;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.testutil.XenOnlyGuest;

/** A guest whose kernels cannot boot on KVM: refused, unless a kernel of this host boots it. */
class KernelRefusalTest {

    static final String REFUSAL = "xenonly: no kernel of the guest can boot on KVM: found "
            + "6.1.0-18-amd64 (no virtio_blk (not built in, no module under /lib/modules/6.1.0-18-amd64): it cannot find"
            + " its disk; no virtio_pci (not built in, no module under /lib/modules/6.1.0-18-amd64): it cannot see virtio"
            + " devices), 2.6.18-398.el5xen (release 2.6.18-398.el5xen is a Xen flavour); pass --install-kernel PKG"
            + " (a standard kernel package for the guest, .deb or .rpm) or --boot direct --kernel FILE --initrd FILE"
            + " (a kernel of this host and its initrd)";

    private static ConversionRequest request(Path cfg, Path out, boolean dryRun, BootRequest boot) {
        PlanOptions plan = new PlanOptions(DomainType.QEMU, out, OutputFormat.RAW, Map.of(), Map.of(), false, null);
        return new ConversionRequest(cfg, null, plan, dryRun, false, CopyOptions.DEFAULT, false, null, false, false, null,
                new DiskDestination.LocalFiles(), boot);
    }

    @Test
    void refusedWithEveryKernelAndWhyAndNothingLeft(@TempDir Path dir) throws Exception {
        Path cfg = XenOnlyGuest.build(dir.resolve("xen"));
        Path out = dir.resolve("kvm");
        for (boolean dryRun : List.of(false, true)) {
            NoKvmKernelException e = assertThrows(NoKvmKernelException.class,
                    () -> Converter.run(request(cfg, out, dryRun, BootRequest.AUTO), ConversionListener.NONE));
            assertEquals(REFUSAL, e.getMessage());
            assertFalse(Files.exists(out), "the output directory made for the run is removed");
        }
        NoKvmKernelException disk = assertThrows(NoKvmKernelException.class, () -> Converter.run(
                request(cfg, out, false, new BootRequest(BootMode.DISK, null, null, null, List.of())), ConversionListener.NONE));
        assertEquals(REFUSAL, disk.getMessage());
    }

    @Test
    void directBootOfAHostKernelConvertsIt(@TempDir Path dir) throws Exception {
        Path cfg = XenOnlyGuest.build(dir.resolve("xen"));
        Path kernel = Files.writeString(dir.resolve("vmlinuz-host"), "host kernel\n");
        Path initrd = Files.writeString(dir.resolve("initrd-host"), "host initrd\n");
        Path out = dir.resolve("kvm");
        ConversionResult r = Converter.run(request(cfg, out, false,
                new BootRequest(BootMode.DIRECT, kernel, initrd, null, List.of())), ConversionListener.NONE);
        assertEquals(BootStrategy.DIRECT_KERNEL, r.plan().boot());
        assertEquals("host kernel\n", Files.readString(out.resolve("xenonly-vmlinuz")));
        assertEquals("host initrd\n", Files.readString(out.resolve("xenonly-initrd.img")));
        String xml = Files.readString(out.resolve("xenonly.xml"));
        assertTrue(xml.contains("<cmdline>root=/dev/vda ro console=tty0 console=ttyS0,115200</cmdline>"), xml);
        assertEquals("direct kernel boot of this host's " + kernel + " with " + initrd + " (--boot direct)", r.plan().bootNote());

        Path out2 = dir.resolve("kvm2");
        ConversionResult custom = Converter.run(request(cfg, out2, true,
                new BootRequest(BootMode.DIRECT, kernel, null, "root=LABEL=x console=ttyS0", List.of())), ConversionListener.NONE);
        assertEquals("root=LABEL=x console=ttyS0", custom.plan().target().directBoot().cmdline());
        assertEquals(null, custom.plan().target().directBoot().initrd());
    }

    @Test
    void installKernelPackagesLiftTheRefusal(@TempDir Path dir) throws Exception {
        Path cfg = XenOnlyGuest.build(dir.resolve("xen"));
        Path pkg = Files.writeString(dir.resolve("linux-image.deb"), "not a package\n");
        // Past the refusal, the package is read (InstallKernels): this one is no package, bad input naming it.
        org.xen2kvm.pkg.PackageFormatException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.xen2kvm.pkg.PackageFormatException.class, () -> Converter.run(request(cfg, dir.resolve("kvm"), true,
                        new BootRequest(BootMode.AUTO, null, null, null, List.of(pkg))), ConversionListener.NONE));
        assertTrue(e.getMessage().startsWith(pkg + ": offset 0: neither a Debian package"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("kvm")), "a dry run created " + dir.resolve("kvm"));
    }
}
