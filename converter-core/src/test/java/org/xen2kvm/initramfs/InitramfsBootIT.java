package org.xen2kvm.initramfs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.libvirt.QemuTestEnvironment;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The kernel itself unpacks what the writer makes: a Debian kernel (testdata/fetch-test-kernel.sh)
 * boots under QEMU (TCG) with initramfs images whose segments use every compression, and
 * its /init prints each segment's marker file on the serial console. LZ4 legacy, bzip2 and lzma
 * streams say nothing of where they end, so each is the last segment of its image, as the
 * tools write them; three boots cover the seven segment kinds.
 */
class InitramfsBootIT {
    private static final String DONE = "xen2kvm-initramfs-boot-done";

    @TempDir
    Path tmp;

    @Test
    void kernelUnpacksEverySegmentKind() throws Exception {
        ExternalTool.require("qemu-system-x86_64");
        QemuTestEnvironment.Kernel kernel = QemuTestEnvironment.kernel();
        byte[] busybox = Files.readAllBytes(kernel.busybox());
        List<List<Compression>> boots = List.of(
                List.of(Compression.NONE, Compression.GZIP, Compression.XZ, Compression.ZSTD, Compression.LZ4_LEGACY),
                List.of(Compression.BZIP2),
                List.of(Compression.LZMA));
        for (List<Compression> layout : boots) {
            List<InitramfsSegment> segments = new ArrayList<>();
            for (int i = 0; i < layout.size(); i++) {
                Compression c = layout.get(i);
                List<CpioEntry> entries = new ArrayList<>();
                if (i == 0) {
                    entries.addAll(base(busybox, layout));
                }
                entries.add(CpioEntry.file("markers/" + c.label(), 0644, 0, ("marker-" + c.label() + "-ok\n")
                        .getBytes(StandardCharsets.US_ASCII)));
                segments.add(new InitramfsSegment(0, c, List.of(new CpioArchive(entries, 0))));
            }
            Path initrd = tmp.resolve("initrd-" + layout.get(layout.size() - 1).label());
            byte[] image = new InitramfsImage(segments, 0).write();
            Files.write(initrd, image);
            String console = boot(kernel.vmlinuz(), initrd);
            for (Compression c : layout) {
                assertTrue(console.contains("marker-" + c.label() + "-ok"), "segment " + c.label() + " of " + layout
                        + " not unpacked by the kernel; console:\n" + tail(console));
            }
            assertTrue(console.contains(DONE), tail(console));
        }
    }

    private static List<CpioEntry> base(byte[] busybox, List<Compression> layout) {
        String init = "#!/bin/busybox sh\n"
                + "/bin/busybox cat /markers/*\n"
                + "/bin/busybox echo " + DONE + "\n"
                + "/bin/busybox poweroff -f\n";
        return List.of(
                CpioEntry.directory("bin", 0755, 0),
                CpioEntry.directory("dev", 0755, 0),
                CpioEntry.charDevice("dev/console", 0600, 5, 1, 0),
                CpioEntry.directory("markers", 0755, 0),
                CpioEntry.file("bin/busybox", 0755, 0, busybox),
                CpioEntry.file("init", 0755, 0, init.getBytes(StandardCharsets.US_ASCII)));
    }

    private String boot(Path vmlinuz, Path initrd) throws Exception {
        Path serial = tmp.resolve(initrd.getFileName() + ".console");
        Process qemu = new ProcessBuilder(ExternalTool.locate("qemu-system-x86_64").orElseThrow().toString(),
                "-accel", "tcg", "-m", "256", "-nodefaults", "-display", "none", "-no-reboot",
                "-kernel", vmlinuz.toString(), "-initrd", initrd.toString(),
                "-append", "console=ttyS0 panic=-1 quiet", "-serial", "file:" + serial)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("qemu.log").toFile()).start();
        if (!qemu.waitFor(120, TimeUnit.SECONDS)) {
            qemu.destroyForcibly().waitFor();
        }
        return Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1) : "(no console output)";
    }

    private static String tail(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }
}
