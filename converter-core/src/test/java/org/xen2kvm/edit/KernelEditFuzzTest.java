package org.xen2kvm.edit;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.plan.KernelCmdlineTest;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz targets for the kernel boot-entry edits: a hostile boot menu (the same bytes as
 * grub.cfg, menu.lst and extlinux.conf) under {@link DefaultKernelEdit} and
 * {@link BootEntryWriter}, and a hostile grubenv block. The edits refuse nothing (odd menus
 * become notes), so any exception is a bug; grubenv may only be refused with its message.
 */
class KernelEditFuzzTest {

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void bootMenus(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        Fuzz.expect(() -> {
            MemoryFileSystem fs = KernelEditsTest.debianStripped();
            fs.file("/boot/grub/grub.cfg", text);
            fs.file("/boot/grub/menu.lst", text);
            fs.file("/boot/extlinux.conf", text);
            ConversionContext ctx = new ConversionContext(KernelCmdlineTest.map("xvda", "xvdb"), GuestInspector.inspect(fs),
                    false, Map.of(), List.of(), "ttyS0");
            new DefaultKernelEdit().apply(fs, ctx);
            BootEntryWriter.addAndMakeDefault(fs, ctx, new BootEntryWriter.NewKernel("6.1.0-27-cloud-amd64",
                    "/boot/vmlinuz-6.1.0-27-cloud-amd64", "/boot/initrd.img-6.1.0-27-cloud-amd64", "linux-image"));
        });
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void grubEnv(byte[] data) throws Exception {
        Fuzz.expect(() -> {
            GrubEnv env = GrubEnv.parse("grubenv", data);
            env.set("saved_entry", "x");
            env.toBytes("grubenv");
        }, Xen2KvmException.class);
    }
}
