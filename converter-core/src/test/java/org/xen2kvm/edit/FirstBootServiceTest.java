package org.xen2kvm.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.GuestTrees;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The first-boot service for each init system, compared with golden files under
 * {@code src/test/resources/org/xen2kvm/edit/expected/firstboot}; every script it writes is
 * checked by {@code sh -n} (dash, Debian's /bin/sh) and {@code bash -n} (Red Hat's /bin/sh).
 */
class FirstBootServiceTest {
    private static final Path GOLDEN = Path.of("src/test/resources/org/xen2kvm/edit/expected/firstboot");

    @TempDir
    Path tmp;

    private FirstBootService.Package pkg(String file, String name, String rel, FirstBootService.Format f) throws IOException {
        return new FirstBootService.Package(name, rel, f, Files.writeString(tmp.resolve(file), "package " + name + "\n"));
    }

    private static void assertGolden(String name, String actual) throws IOException {
        Path p = GOLDEN.resolve(name);
        if (Boolean.getBoolean("xen2kvm.writeGolden")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(p, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(p, StandardCharsets.UTF_8), actual, name);
    }

    /** Installs the service, checks the golden diff and the shell syntax of every script written. */
    private void check(String golden, MemoryFileSystem fs, List<FirstBootService.Package> pkgs, String... scripts)
            throws Exception {
        RecordingFileSystem rec = new RecordingFileSystem(fs);
        List<String> notes = FirstBootService.install(rec, GuestInspector.inspect(fs), pkgs);
        StringBuilder sb = new StringBuilder();
        notes.forEach(n -> sb.append(n).append('\n'));
        sb.append("====\n").append(new EditReport(rec.changes(), Map.of()).unifiedDiff());
        assertGolden(golden, sb.toString());
        assertEquals(0755, fs.stat(FirstBootService.SCRIPT).orElseThrow().mode());
        for (String s : scripts) {
            Path file = Files.writeString(tmp.resolve("script.sh"), fs.readText(s));
            for (String shell : List.of("sh", "bash")) {
                ExternalTool.require(shell);
                ExternalTool.Result r = ExternalTool.run(List.of(shell, "-n", file.toString()));
                assertEquals(0, r.exitCode(), shell + " -n " + s + ": " + r.output());
            }
        }
    }

    @Test
    void debianSystemdWithGrub2() throws Exception {
        MemoryFileSystem fs = GuestTrees.debianPygrub();
        fs.file("/usr/sbin/update-initramfs", "#!/bin/sh\n").file("/usr/sbin/update-grub", "#!/bin/sh\n");
        check("debian12-systemd.txt", fs, List.of(pkg("linux-image-6.1.0-27-cloud-amd64_6.1.115-1_amd64.deb",
                "linux-image-6.1.0-27-cloud-amd64", "6.1.0-27-cloud-amd64", FirstBootService.Format.DEB)),
                FirstBootService.SCRIPT);
        assertEquals(FirstBootService.UNIT, fs.readlink(FirstBootService.UNIT_LINK));
        String script = fs.readText(FirstBootService.SCRIPT);
        assertTrue(script.contains("\nstep dpkg -i --force-confold --force-depends "
                + "/var/lib/xen2kvm/packages/linux-image-6.1.0-27-cloud-amd64_6.1.115-1_amd64.deb\n"), script);
        // dpkg -i runs the kernel's postinst hooks, which rebuild the initramfs and the menu.
        assertFalse(script.contains("update-grub") || script.contains("update-initramfs"), script);
        assertTrue(script.contains("\nrm -f " + FirstBootService.UNIT_LINK + " " + FirstBootService.UNIT + "\n"), script);
    }

    @Test
    void rhel5SysvWithMkinitrdAndGrubLegacy() throws Exception {
        MemoryFileSystem fs = GuestTrees.rhel5();
        fs.dir("/etc/rc.d/init.d").file("/sbin/mkinitrd", "#!/bin/bash\n");
        check("centos5-sysv.txt", fs, List.of(pkg("kernel-2.6.18-419.el5.x86_64.rpm", "kernel", "2.6.18-419.el5",
                FirstBootService.Format.RPM)), FirstBootService.SCRIPT, "/etc/rc.d/init.d/xen2kvm-firstboot");
        assertEquals("../init.d/xen2kvm-firstboot", fs.readlink("/etc/rc.d/rc3.d/S99xen2kvm-firstboot"));
        assertEquals("../init.d/xen2kvm-firstboot", fs.readlink("/etc/rc.d/rc5.d/S99xen2kvm-firstboot"));
        String script = fs.readText(FirstBootService.SCRIPT);
        assertTrue(script.contains("\nstep rpm -i --justdb --nodeps --noscripts /var/lib/xen2kvm/packages/"
                + "kernel-2.6.18-419.el5.x86_64.rpm\nstep mkinitrd -f --with=virtio_pci --with=virtio_blk"
                + " /boot/initrd-2.6.18-419.el5.img 2.6.18-419.el5\nif "), script);
        assertFalse(script.contains("grub"), "GRUB legacy has no menu generator to run");
    }

    @Test
    void rhel6SysvWithDracutAndOldDebianSysv() throws Exception {
        MemoryFileSystem el6 = new MemoryFileSystem("centos6");
        el6.file("/etc/redhat-release", "CentOS release 6.10 (Final)\n").file("/etc/inittab", "id:3:initdefault:\n");
        el6.file("/sbin/dracut", "#!/bin/bash\n").dir("/etc/rc.d/init.d").file("/etc/fstab", "/dev/xvda1 / ext4 defaults 1 1\n");
        check("centos6-sysv-dracut.txt", el6, List.of(pkg("kernel-2.6.32-754.el6.x86_64.rpm", "kernel",
                "2.6.32-754.el6.x86_64", FirstBootService.Format.RPM)), FirstBootService.SCRIPT);
        assertTrue(el6.readText(FirstBootService.SCRIPT).contains(
                "\nstep dracut -f /boot/initramfs-2.6.32-754.el6.x86_64.img 2.6.32-754.el6.x86_64\n"));

        MemoryFileSystem squeeze = new MemoryFileSystem("squeeze");
        squeeze.file("/etc/debian_version", "6.0.10\n").file("/etc/inittab", "id:2:initdefault:\n").dir("/etc/init.d");
        squeeze.file("/usr/sbin/update-initramfs", "#!/bin/sh\n").file("/etc/fstab", "/dev/xvda1 / ext3 defaults 0 1\n");
        check("debian6-sysv.txt", squeeze, List.of(pkg("linux-image-3.2.0-4-amd64_3.2.96-3_amd64.deb",
                "linux-image-3.2.0-4-amd64", "3.2.0-4-amd64", FirstBootService.Format.DEB)),
                FirstBootService.SCRIPT, "/etc/init.d/xen2kvm-firstboot");
        for (String level : List.of("2", "3", "4", "5")) {
            assertEquals("../init.d/xen2kvm-firstboot", squeeze.readlink("/etc/rc" + level + ".d/S99xen2kvm-firstboot"));
        }
    }

    @Test
    void ubuntuUpstart() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("trusty");
        fs.file("/etc/os-release", "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"14.04\"\n").file("/sbin/initctl", "x");
        fs.file("/etc/init/tty1.conf", "exec /sbin/getty tty1\n").file("/etc/fstab", "/dev/xvda1 / ext4 defaults 0 1\n");
        check("ubuntu14-upstart.txt", fs, List.of(pkg("linux-image-4.4.0-148-generic_4.4.0-148.174_amd64.deb",
                "linux-image-4.4.0-148-generic", "4.4.0-148-generic", FirstBootService.Format.DEB)), FirstBootService.SCRIPT);
        assertTrue(fs.readText(FirstBootService.UPSTART_JOB).contains("\nexec /bin/sh /usr/lib/xen2kvm/firstboot.sh\n"));
    }

    /**
     * Runs the generated script under dash with its absolute paths moved into a scratch root
     * and stub dpkg/update-initramfs/update-grub that log their arguments (and fail when told):
     * every step runs in order, success removes the packages and the service, a failure keeps
     * the packages and still removes the service.
     */
    @Test
    void theScriptRunsEachStepAndRemovesItself() throws Exception {
        for (boolean fail : List.of(false, true)) {
            MemoryFileSystem fs = GuestTrees.debianPygrub();
            fs.file("/usr/sbin/update-initramfs", "#!/bin/sh\n").file("/usr/sbin/update-grub", "#!/bin/sh\n");
            FirstBootService.install(fs, GuestInspector.inspect(fs), List.of(pkg("linux-image-6.1.0-27-cloud-amd64_6.1.115-1_amd64.deb",
                    "linux-image-6.1.0-27-cloud-amd64", "6.1.0-27-cloud-amd64", FirstBootService.Format.DEB)));
            Path root = Files.createDirectories(tmp.resolve("root-" + fail));
            for (String f : List.of(FirstBootService.SCRIPT, FirstBootService.UNIT,
                    FirstBootService.PACKAGES + "/linux-image-6.1.0-27-cloud-amd64_6.1.115-1_amd64.deb")) {
                Path to = root.resolve(f.substring(1));
                Files.createDirectories(to.getParent());
                Files.write(to, fs.readFile(f, 1 << 20));
            }
            Files.createDirectories(root.resolve(FirstBootService.UNIT_LINK.substring(1)).getParent());
            Files.createSymbolicLink(root.resolve(FirstBootService.UNIT_LINK.substring(1)),
                    root.resolve(FirstBootService.UNIT.substring(1)));
            Files.createDirectories(root.resolve("var/log"));
            Path stubs = Files.createDirectories(tmp.resolve("stubs-" + fail));
            for (String tool : List.of("dpkg", "update-initramfs", "update-grub")) {
                Path stub = stubs.resolve(tool);
                Files.writeString(stub, "#!/bin/sh\necho " + tool + " \"$@\" >> " + root.resolve("calls") + "\n"
                        + (fail && tool.equals("dpkg") ? "exit 3\n" : "exit 0\n"));
                stub.toFile().setExecutable(true);
            }
            String script = fs.readText(FirstBootService.SCRIPT)
                    .replace("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "PATH=" + stubs + ":$PATH")
                    .replace(" /var/", " " + root + "/var/").replace(">>/var/", ">>" + root + "/var/")
                    .replace(" /usr/lib/xen2kvm/", " " + root + "/usr/lib/xen2kvm/")
                    .replace(" /etc/systemd/", " " + root + "/etc/systemd/");
            Path scriptFile = root.resolve(FirstBootService.SCRIPT.substring(1));
            Files.writeString(scriptFile, script);
            ExternalTool.require("sh");
            ExternalTool.Result r = ExternalTool.run(List.of("sh", scriptFile.toString()));
            assertEquals(0, r.exitCode(), r.output());
            assertEquals("dpkg -i --force-confold --force-depends " + root
                    + "/var/lib/xen2kvm/packages/linux-image-6.1.0-27-cloud-amd64_6.1.115-1_amd64.deb\n",
                    Files.readString(root.resolve("calls")));
            String log = Files.readString(root.resolve("var/log/xen2kvm-firstboot.log"));
            assertEquals(fail, log.contains("xen2kvm: failed (exit 3): dpkg -i"), log);
            assertEquals(fail, Files.exists(root.resolve("var/lib/xen2kvm/packages")), "packages kept only after a failure");
            assertFalse(Files.exists(scriptFile), "the script removes itself");
            assertFalse(Files.exists(root.resolve(FirstBootService.UNIT.substring(1))));
            assertFalse(Files.exists(root.resolve(FirstBootService.UNIT_LINK.substring(1)), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void hostileNamesAreRefused() throws Exception {
        Path p = Files.writeString(tmp.resolve("kernel.rpm"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FirstBootService.Package("kernel; rm -rf /", "2.6.18", FirstBootService.Format.RPM, p));
        assertEquals(p + ": 'kernel; rm -rf /' has characters a package name or kernel release does not have;"
                + " rename the file or check the package", e.getMessage());
    }
}
