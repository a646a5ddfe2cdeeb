package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.ExternalTool;
import org.xen2kvm.testutil.Hashes;
import org.xen2kvm.testutil.Tmpfs;

/**
 * The disk-full case as a user meets it: {@code bin/xen2kvm convert} in a child process, asked
 * to register the guest with the system libvirt, runs out of space part-way through the copy
 * (see {@link DiskFullTest}). One line on stderr, exit 1, nothing on the tmpfs, no domain.
 */
class DiskFullLauncherIT {
    @Test
    void convertRunningOutOfSpaceLeavesNoFileAndNoDomain(@TempDir Path dir) throws Exception {
        ExternalTool.require("virsh");
        ExternalTool.requireThat(Files.exists(Path.of("/run/libvirt/libvirt-sock")),
                "libvirtd is not running (./test.sh starts it)");
        Path launcher = Path.of(System.getProperty("xen2kvm.launcher", "../bin/xen2kvm")).toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(launcher), launcher + " is not executable");
        Path cfg = DiskFullTest.guest(dir);
        String before = Hashes.sha256(dir.resolve("web1.img"));
        String name = "xen2kvm-diskfull-" + UUID.randomUUID().toString().substring(0, 8);
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        Path out = mnt.resolve("vms");
        Tmpfs.mount(mnt, DiskFullTest.SLIGHTLY_ABOVE);
        try {
            List<String> command = new ArrayList<>(List.of(launcher.toString(), "convert", cfg.toString(),
                    "-o", out.toString(), "--name", name, "--domain-type", "qemu", "-c", "qemu:///system"));
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
            pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            Process p = pb.start();
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "xen2kvm convert did not finish");
            String err = Files.readString(dir.resolve("stderr"));
            assertEquals(1, p.exitValue(), err);
            assertEquals("", Files.readString(dir.resolve("stdout")));
            List<String> lines = err.lines().toList();
            assertEquals("xen2kvm: " + out.resolve(name + "-hda.qcow2") + ": no space left on " + mnt + " ("
                    + DiskFullTest.NEEDED + ", 4.1 MiB were free); nothing was kept", lines.get(lines.size() - 1), err);
            try (var s = Files.list(mnt)) {
                assertEquals(List.of(), s.toList());
            }
        } finally {
            Tmpfs.unmount(mnt);
        }
        ExternalTool.Result dominfo = ExternalTool.run(List.of("virsh", "-c", "qemu:///system", "dominfo", name));
        assertNotEquals(0, dominfo.exitCode(), "a domain was defined: " + dominfo.output());
        assertEquals(before, Hashes.sha256(dir.resolve("web1.img")));
    }
}
