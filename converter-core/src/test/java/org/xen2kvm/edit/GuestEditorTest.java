package org.xen2kvm.edit;

import org.xen2kvm.plan.DeviceMap;
import org.xen2kvm.plan.KernelCmdlineTest;

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
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.GuestTrees;

/**
 * Runs every edit on in-memory copies of the test guests and compares the unified diff and
 * the notes with golden files under {@code src/test/resources/org/xen2kvm/edit/expected}.
 * Run with {@code -Dxen2kvm.writeGolden=true} to rewrite them after a deliberate change,
 * then review the diff of the golden files.
 */
class GuestEditorTest {

    private static final Path GOLDEN = Path.of("src/test/resources/org/xen2kvm/edit/expected");

    private static ConversionContext ctx(MemoryFileSystem fs, DeviceMap map, boolean uuid, Map<String, String> uuids,
            String... macs) throws IOException {
        return new ConversionContext(map, GuestInspector.inspect(fs), uuid, uuids, List.of(macs), "ttyS0");
    }

    private static String dump(EditReport r) {
        StringBuilder sb = new StringBuilder();
        r.notes().forEach((edit, notes) -> notes.forEach(n -> sb.append(edit).append(": ").append(n).append('\n')));
        sb.append("====\n").append(r.unifiedDiff());
        return sb.toString();
    }

    private static void assertGolden(String name, String actual) throws IOException {
        Path p = GOLDEN.resolve(name);
        if (Boolean.getBoolean("xen2kvm.writeGolden")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(p, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(p, StandardCharsets.UTF_8), actual, name);
    }

    /** Applies all edits, checks the golden output, and checks that a second run changes nothing. */
    private static EditReport convert(String golden, MemoryFileSystem fs, ConversionContext c) throws IOException {
        EditReport r = GuestEditor.applyAll(fs, c);
        assertGolden(golden, dump(r));
        EditReport again = GuestEditor.applyAll(fs, new ConversionContext(c.deviceMap(), GuestInspector.inspect(fs),
                c.fstabUuid(), c.filesystemUuids(), c.nicMacs(), c.serialConsole()));
        assertEquals(List.of(), again.changes(), "edits must be idempotent");
        return r;
    }

    @Test
    void debianXenTools() throws Exception {
        MemoryFileSystem fs = GuestTrees.debianXenTools();
        EditReport r = convert("debian-xen-tools.txt", fs,
                ctx(fs, KernelCmdlineTest.map("xvda2", "xvda1"), false, Map.of(), "00:16:3e:aa:bb:01"));
        assertEquals("/lib/systemd/system/serial-getty@.service",
                fs.readlink("/etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service"));
        assertFalse(fs.exists("/etc/systemd/system/getty.target.wants/serial-getty@hvc0.service"));
        assertTrue(fs.readText("/etc/fstab").contains("\n/dev/vda        /               ext4"));
        assertEquals("[Match]\nMACAddress=00:16:3e:aa:bb:01\n\n[Link]\nName=eth0\n",
                fs.readText("/etc/systemd/network/10-xen2kvm-eth0.link").replaceAll("(?m)^#.*\n", ""));
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void debianPygrubWithFstabUuids() throws Exception {
        MemoryFileSystem fs = GuestTrees.debianPygrub();
        EditReport r = convert("debian-pygrub.txt", fs, ctx(fs, KernelCmdlineTest.map("xvda", "xvdb"), true,
                Map.of("/dev/vda1", "0f4cc2a1-0d6b-4c3c-9d52-6a7b3e1b2f10", "/dev/vdb", "7e1c1d2e-5b1a-4f0e-8c7d-1a2b3c4d5e6f"),
                "00:16:3e:aa:bb:02"));
        assertTrue(fs.readText("/boot/grub/grub.cfg").contains(
                "\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=/dev/vda1 ro console=tty0 console=ttyS0,115200\n"));
        assertTrue(fs.readText("/etc/default/grub").contains("GRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS0,115200\"\n"));
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void rhel5() throws Exception {
        MemoryFileSystem fs = GuestTrees.rhel5();
        EditReport r = convert("centos5.txt", fs, ctx(fs, KernelCmdlineTest.map("xvda", "xvdb"), false, Map.of(), "00:16:3e:11:22:33"));
        assertTrue(fs.readText("/etc/inittab").contains("\nco:2345:respawn:/sbin/agetty ttyS0 115200 vt100\n"));
        assertEquals(List.of(
                "fstab: /etc/fstab line 9: /dev/xvdc1 is no disk of this guest; left unchanged (the mount will fail unless it is nofail)",
                "initramfs: /boot/initrd-2.6.18-398.el5.img: no virtio_blk/virtio_pci module; kernel 2.6.18-398.el5 will not"
                        + " find its root disk on virtio; rebuild it in the guest with:"
                        + " mkinitrd -f --with=virtio_pci --with=virtio_blk /boot/initrd-$(uname -r).img $(uname -r)"),
                r.warnings());
    }

    @Test
    void sles11() throws Exception {
        MemoryFileSystem fs = GuestTrees.sles11();
        convert("sles11.txt", fs, ctx(fs, KernelCmdlineTest.map("xvda"), false, Map.of(), "00:16:3e:44:55:66"));
        assertTrue(fs.readText("/boot/grub/menu.lst").startsWith("# Modified by YaST2. Last modification on Mon Jan  1 00:00:00 UTC 2018\ndefault 1\n"));
    }

    @Test
    void fstabEdgeCases() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("edge");
        fs.file("/etc/fstab", "UUID=1234-abcd\t/\text4\tdefaults\t0\t1\nLABEL=data /data xfs defaults 0 2\n"
                + "  # /dev/xvda1 commented out\n\n/dev/xvda1\t/boot\text2\tdefaults\t0\t2\n"
                + "/dev/xvdc /mnt ext4 defaults 0 0\n/dev/mapper/vg-lv /srv ext4 defaults 0 0\n/dev/cdrom /media iso9660 noauto 0 0\n"
                + "garbage-line\n/dev/xvdb1 /x ext4 defaults 0 0");
        ConversionContext c = ctx(fs, KernelCmdlineTest.map("xvda", "xvdb"), true, Map.of("/dev/vda1", "feed-beef"));
        List<String> notes = new FstabEdit().apply(fs, c);
        assertEquals("UUID=1234-abcd\t/\text4\tdefaults\t0\t1\nLABEL=data /data xfs defaults 0 2\n"
                + "  # /dev/xvda1 commented out\n\nUUID=feed-beef\t/boot\text2\tdefaults\t0\t2\n"
                + "/dev/xvdc /mnt ext4 defaults 0 0\n/dev/mapper/vg-lv /srv ext4 defaults 0 0\n/dev/cdrom /media iso9660 noauto 0 0\n"
                + "garbage-line\n/dev/vdb1  /x ext4 defaults 0 0", fs.readText("/etc/fstab"), "no final newline added either");
        assertEquals(List.of(
                "/etc/fstab line 5: /dev/xvda1 -> UUID=feed-beef",
                "warning: /etc/fstab line 6: /dev/xvdc is no disk of this guest; left unchanged (the mount will fail unless it is nofail)",
                "warning: /etc/fstab line 10: no UUID known for /dev/vdb1; written as a device path",
                "/etc/fstab line 10: /dev/xvdb1 -> /dev/vdb1"), notes);
    }

    @Test
    void missingFilesAreNotesNotFailures() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("bare").dir("/etc");
        EditReport r = GuestEditor.applyAll(fs, ctx(fs, KernelCmdlineTest.map("xvda"), false, Map.of()));
        assertEquals(List.of(), r.changes());
        assertEquals(List.of("fstab: /etc/fstab is missing; no mounts to translate",
                "initramfs: no kernel in /boot that can boot on KVM (is /boot a separate filesystem?)"), r.warnings());
    }

    @Test
    void symlinkLoopInTheGuestIsAClearError() throws Exception {
        MemoryFileSystem fs = GuestTrees.debianXenTools();
        ConversionContext c = ctx(fs, KernelCmdlineTest.map("xvda2", "xvda1"), false, Map.of(), "00:16:3e:aa:bb:01");
        fs.delete("/etc/fstab");
        fs.symlink("/etc/fstab", "/etc/fstab");
        FileSystemException e = assertThrows(FileSystemException.class, () -> GuestEditor.applyAll(fs, c));
        assertEquals("debian-xen-tools: /etc/fstab: too many levels of symbolic links (more than 40); the guest has a symlink loop",
                e.getMessage());
    }

    @Test
    void upstartConsoleAndModprobeD() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("ubuntu");
        fs.file("/etc/os-release", "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"14.04\"\n");
        fs.file("/sbin/initctl", "x");
        fs.file("/etc/init/hvc0.conf", "start on stopped rc RUNLEVEL=[2345]\nrespawn\nexec /sbin/getty -8 38400 hvc0\n");
        fs.file("/etc/modprobe.d/xen.conf", "alias eth0 xen-netfront\noptions foo bar=1\n");
        fs.file("/etc/udev/rules.d/70-persistent-net.rules",
                "SUBSYSTEM==\"net\", DRIVERS==\"?*\", ATTR{address}==\"00:16:3e:00:00:09\", NAME=\"eth0\"\n");
        ConversionContext c = ctx(fs, KernelCmdlineTest.map("xvda"), false, Map.of(), "00:16:3e:00:00:01");
        List<String> notes = new ConsoleEdit().apply(fs, c);
        assertFalse(fs.exists("/etc/init/hvc0.conf"));
        assertEquals("start on stopped rc RUNLEVEL=[2345]\nrespawn\nexec /sbin/getty -8 115200 ttyS0\n", fs.readText("/etc/init/ttyS0.conf"));
        assertEquals(List.of("upstart job /etc/init/hvc0.conf replaced by /etc/init/ttyS0.conf"), notes);
        new ModprobeEdit().apply(fs, c);
        assertEquals("alias eth0 virtio_net\noptions foo bar=1\n", fs.readText("/etc/modprobe.d/xen.conf"));
        assertEquals(List.of("warning: /etc/udev/rules.d/70-persistent-net.rules line 1: rule for 00:16:3e:00:00:09, which is no NIC"
                + " of this guest; it may take a name another NIC needs"), new NetworkEdit().apply(fs, c));
    }

    @Test
    void debianLegacyMenuMagicComment() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("squeeze");
        fs.file("/boot/grub/menu.lst", "default 0\n### BEGIN AUTOMAGIC KERNELS LIST\n# kopt=root=/dev/xvda1 ro console=hvc0\n"
                + "# altoptions=(single-user mode) single\n### END DEBIAN AUTOMAGIC KERNELS LIST\n"
                + "title Debian\nroot (hd0,0)\nkernel /boot/vmlinuz-2.6.32-5-xen-amd64 root=/dev/xvda1 ro console=hvc0\n");
        new GrubEdit().apply(fs, ctx(fs, KernelCmdlineTest.map("xvda"), false, Map.of()));
        assertEquals("default 0\nserial --unit=0 --speed=115200\nterminal --timeout=5 serial console\n"
                + "### BEGIN AUTOMAGIC KERNELS LIST\n# kopt=root=/dev/vda1 ro console=tty0 console=ttyS0,115200\n"
                + "# altoptions=(single-user mode) single\n### END DEBIAN AUTOMAGIC KERNELS LIST\n"
                + "title Debian\nroot (hd0,0)\nkernel /boot/vmlinuz-2.6.32-5-xen-amd64 root=/dev/vda1 ro console=tty0 console=ttyS0,115200\n",
                fs.readText("/boot/grub/menu.lst"), "a -xen-amd64 pvops kernel is not Xen-only: default stays; the serial terminal"
                + " goes above the list update-grub rewrites");
    }

    @Test
    void extlinuxAppendLinesAreConverted() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("alpine");
        fs.file("/boot/extlinux.conf", "DEFAULT virt\nLABEL virt\n  MENU LABEL Linux virt\n  LINUX vmlinuz-virt\n"
                + "  INITRD initramfs-virt\n  APPEND root=/dev/xvda1 modules=ext4 console=hvc0\n");
        fs.file("/boot/vmlinuz-virt", "k");
        org.xen2kvm.guest.InspectedGuest g = GuestInspector.inspect(fs);
        assertEquals(new org.xen2kvm.guest.BootEntry("virt", "vmlinuz-virt", "initramfs-virt",
                "root=/dev/xvda1 modules=ext4 console=hvc0"), g.bootloader().defaultBootEntry().orElseThrow());
        List<String> notes = new GrubEdit().apply(fs, new ConversionContext(KernelCmdlineTest.map("xvda"), g, false, Map.of(),
                List.of(), "ttyS0"));
        assertTrue(fs.readText("/boot/extlinux.conf").endsWith(
                "\n  APPEND root=/dev/vda1 modules=ext4 console=tty0 console=ttyS0,115200\n"));
        assertEquals(List.of("/boot/extlinux.conf: 1 kernel command line(s) converted"), notes);
    }

    @Test
    void menuPathsAreFoundOnASeparateBoot() throws Exception {
        MemoryFileSystem fs = GuestTrees.rhel5();
        assertEquals(java.util.Optional.of("/boot/vmlinuz-2.6.18-398.el5"),
                org.xen2kvm.guest.GrubConfigs.locate(fs, "(hd0,0)/vmlinuz-2.6.18-398.el5"));
        assertEquals(java.util.Optional.of("/boot/vmlinuz-2.6.18-398.el5"),
                org.xen2kvm.guest.GrubConfigs.locate(fs, "/boot/vmlinuz-2.6.18-398.el5"));
        assertEquals(java.util.Optional.empty(), org.xen2kvm.guest.GrubConfigs.locate(fs, "/vmlinuz-missing"));
    }

    @Test
    void consoleOnSystemdWithoutLibLinkAndOnSysvWithoutXenGetty() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("fedora-ish");
        fs.file("/usr/lib/systemd/systemd", "x").dir("/etc/systemd/system").dir("/lib/modules");
        fs.file("/usr/lib/systemd/system/serial-getty@.service", "[Unit]\n");
        fs.link("/etc/systemd/system/getty.target.wants/getty@hvc0.service", "/usr/lib/systemd/system/getty@.service");
        ConversionContext c = ctx(fs, KernelCmdlineTest.map("xvda"), false, Map.of());
        assertEquals(List.of("disabled getty@hvc0.service (Xen console)", "enabled serial-getty@ttyS0.service"),
                new ConsoleEdit().apply(fs, c));
        assertEquals("/usr/lib/systemd/system/serial-getty@.service",
                fs.readlink("/etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service"));

        MemoryFileSystem sysv = new MemoryFileSystem("sysv");
        sysv.file("/etc/inittab", "id:3:initdefault:\nS0:2345:respawn:/sbin/mingetty tty1\n");
        ConversionContext s = ctx(sysv, KernelCmdlineTest.map("xvda"), false, Map.of());
        assertEquals(List.of("/etc/inittab: getty added on ttyS0"), new ConsoleEdit().apply(sysv, s));
        assertEquals("id:3:initdefault:\nS0:2345:respawn:/sbin/mingetty tty1\nx0:2345:respawn:/sbin/agetty ttyS0 115200 vt100\n",
                sysv.readText("/etc/inittab"), "the id S0 is taken, so another is chosen");
    }

    @Test
    void interfaceNamesFollowTheGuestConfiguration() {
        assertEquals(List.of("eth0", "eth1"), NetworkEdit.interfaceNames(List.of("eth1", "eth0"), 2));
        assertEquals(List.of("enX0"), NetworkEdit.interfaceNames(List.of("enX0"), 1));
        assertEquals(List.of("ens3", "eth1"), NetworkEdit.interfaceNames(List.of("ens3"), 2));
        assertEquals(List.of("eth0"), NetworkEdit.interfaceNames(List.of(), 1));
    }
}
