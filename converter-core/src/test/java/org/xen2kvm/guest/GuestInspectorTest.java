package org.xen2kvm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.MemoryFileSystem;

class GuestInspectorTest {

    @Test
    void debianXenTools() throws Exception {
        InspectedGuest g = GuestInspector.inspect(GuestTrees.debianXenTools());
        assertEquals(new OsInfo("debian", "12", "Debian GNU/Linux 12 (bookworm)", OsFamily.DEBIAN, "/etc/os-release", PackageManager.UNKNOWN), g.os());
        assertEquals(12, g.os().majorVersion());
        assertEquals(List.of(
                new KernelInfo("6.1.0-18-amd64", "/boot/vmlinuz-6.1.0-18-amd64", "/boot/initrd.img-6.1.0-18-amd64", false),
                new KernelInfo("6.1.0-9-amd64", "/boot/vmlinuz-6.1.0-9-amd64", "/boot/initrd.img-6.1.0-9-amd64", false)),
                g.kernels());
        assertEquals(BootloaderInfo.none(), g.bootloader());
        assertEquals(InitSystem.SYSTEMD, g.initSystem());
        assertEquals(new NetworkConfig(List.of(NetworkStyle.IFUPDOWN), List.of("eth0")), g.network());
        assertEquals(List.of("hvc0", "tty1"), g.consoles());
        assertEquals(List.of(
                new FstabEntry(4, "proc", "/proc", "proc", "defaults", 0, 0),
                new FstabEntry(5, "/dev/xvda2", "/", "ext4", "noatime,errors=remount-ro", 0, 1),
                new FstabEntry(6, "/dev/xvda1", "none", "swap", "sw", 0, 0)), g.fstab().entries());
        assertEquals(6, g.fstab().rawLines().size());
        assertEquals("/dev/xvda2", g.fstab().at("/").spec());
        assertEquals(List.of(), g.warnings());
    }

    @Test
    void debianPygrub() throws Exception {
        InspectedGuest g = GuestInspector.inspect(GuestTrees.debianPygrub());
        BootloaderInfo b = g.bootloader();
        assertEquals(BootloaderKind.GRUB2, b.kind());
        assertEquals("/boot/grub/grub.cfg", b.configPath());
        assertEquals(0, b.defaultEntry());
        assertEquals(List.of(
                new BootEntry("Debian GNU/Linux", "/boot/vmlinuz-6.1.0-18-amd64", "/boot/initrd.img-6.1.0-18-amd64",
                        "root=/dev/xvda1 ro console=hvc0"),
                new BootEntry("Debian GNU/Linux, with Linux 6.1.0-18-amd64 (recovery mode)", "/boot/vmlinuz-6.1.0-18-amd64",
                        "/boot/initrd.img-6.1.0-18-amd64", "root=/dev/xvda1 ro single console=hvc0")), b.entries());
        assertEquals(List.of("hvc0", "tty1"), g.consoles());
    }

    @Test
    void rhel5() throws Exception {
        InspectedGuest g = GuestInspector.inspect(GuestTrees.rhel5());
        assertEquals(new OsInfo("centos", "5.11", "CentOS release 5.11 (Final)", OsFamily.RHEL, "/etc/redhat-release", PackageManager.UNKNOWN), g.os());
        assertEquals(List.of(
                new KernelInfo("2.6.18-398.el5xen", "/boot/vmlinuz-2.6.18-398.el5xen", "/boot/initrd-2.6.18-398.el5xen.img", true),
                new KernelInfo("2.6.18-398.el5", "/boot/vmlinuz-2.6.18-398.el5", "/boot/initrd-2.6.18-398.el5.img", false)),
                g.kernels());
        assertEquals(BootloaderKind.GRUB_LEGACY, g.bootloader().kind());
        assertEquals("/boot/grub/grub.conf", g.bootloader().configPath());
        assertEquals(2, g.bootloader().entries().size());
        assertEquals("ro root=/dev/VolGroup00/LogVol00 console=xvc0 xencons=xvc0", g.bootloader().entries().get(0).cmdline());
        assertEquals(InitSystem.SYSVINIT, g.initSystem());
        assertEquals(new NetworkConfig(List.of(NetworkStyle.IFCFG), List.of("eth0")), g.network());
        assertEquals(List.of("xvc0"), g.consoles());
        assertEquals(9, g.fstab().entries().size());
    }

    @Test
    void sles11() throws Exception {
        InspectedGuest g = GuestInspector.inspect(GuestTrees.sles11());
        assertEquals(new OsInfo("sles", "11.4", "SUSE Linux Enterprise Server 11 (x86_64)", OsFamily.SUSE, "/etc/SuSE-release", PackageManager.UNKNOWN), g.os());
        assertEquals(List.of("3.0.101-63-xen", "3.0.101-63-default"), g.kernels().stream().map(KernelInfo::version).toList());
        assertTrue(g.kernels().get(0).xenOnly());
        assertEquals("/boot/initrd-3.0.101-63-default", g.kernels().get(1).initrdPath());
        assertEquals(BootloaderKind.GRUB_LEGACY, g.bootloader().kind());
        assertEquals("/boot/grub/menu.lst", g.bootloader().configPath());
        assertEquals(new NetworkConfig(List.of(NetworkStyle.IFCFG), List.of("eth0")), g.network());
        assertEquals(List.of("xvc0"), g.consoles());
        assertEquals(InitSystem.SYSVINIT, g.initSystem());
    }

    @Test
    void printableReport() throws Exception {
        assertEquals("""
                os: CentOS release 5.11 (Final) (id=centos version=5.11 family=RHEL)
                init: SYSVINIT
                kernels:
                  2.6.18-398.el5xen: /boot/vmlinuz-2.6.18-398.el5xen, initrd /boot/initrd-2.6.18-398.el5xen.img [Xen only]
                  2.6.18-398.el5: /boot/vmlinuz-2.6.18-398.el5, initrd /boot/initrd-2.6.18-398.el5.img
                bootloader: GRUB_LEGACY /boot/grub/grub.conf
                  * CentOS (2.6.18-398.el5xen): /vmlinuz-2.6.18-398.el5xen ro root=/dev/VolGroup00/LogVol00 console=xvc0 xencons=xvc0
                    CentOS (2.6.18-398.el5): /vmlinuz-2.6.18-398.el5 ro root=/dev/VolGroup00/LogVol00
                fstab:
                  /dev/VolGroup00/LogVol00 / ext3 defaults
                  LABEL=/boot /boot ext3 defaults
                  tmpfs /dev/shm tmpfs defaults
                  devpts /dev/pts devpts gid=5,mode=620
                  sysfs /sys sysfs defaults
                  proc /proc proc defaults
                  /dev/VolGroup00/LogVol01 swap swap defaults
                  /dev/xvdb1 /data ext3 defaults
                  /dev/xvdc1 /scratch ext3 defaults,nofail
                network: [IFCFG] interfaces [eth0]
                consoles: [xvc0]
                """, InspectionReport.format(GuestInspector.inspect(GuestTrees.rhel5())));
    }

    @Test
    void kernelVersionsCompareNumerically() {
        List<String> v = new java.util.ArrayList<>(List.of("6.1.0-9-amd64", "6.1.0-18-amd64", "5.10.0-28-amd64",
                "6.1.0-18-amd64", "2.6.32-754.el6.x86_64", "2.6.18-398.el5", "3.10.0-1160.el7.x86_64", "6.10.0-1-amd64"));
        v.sort(KernelVersions.ASCENDING.reversed());
        assertEquals(List.of("6.10.0-1-amd64", "6.1.0-18-amd64", "6.1.0-18-amd64", "6.1.0-9-amd64", "5.10.0-28-amd64",
                "3.10.0-1160.el7.x86_64", "2.6.32-754.el6.x86_64", "2.6.18-398.el5"), v);
        assertTrue(KernelVersions.compare("4.19.0-99999999999999999999999", "4.19.0-1") > 0);
    }

    @Test
    void findRootPrefersTheFilesystemWithFstabAndRelease() throws Exception {
        MemoryFileSystem boot = new MemoryFileSystem("boot").file("/grub/grub.conf", "x");
        MemoryFileSystem data = new MemoryFileSystem("data").file("/etc/fstab", "# not a root\n");
        MemoryFileSystem root = GuestTrees.rhel5();
        assertSame(root, GuestInspector.findRoot(List.of(boot, data, root)).orElseThrow());
        assertSame(data, GuestInspector.findRoot(List.of(boot, data)).orElseThrow());
        assertEquals(Optional.empty(), GuestInspector.findRoot(List.of(boot)));
    }

    @Test
    void garbageLinesBecomeWarnings() throws Exception {
        MemoryFileSystem fs = GuestTrees.debianXenTools();
        fs.writeText("/etc/fstab", "/dev/xvda2 / ext4 defaults 0 1\nthis-is-garbage\n\u0001\u0002 x\n/dev/xvda1 none swap sw x y\n");
        fs.writeText("/etc/os-release", "ID=debian\n\u0000\u0000garbage=\n=broken\n");
        InspectedGuest g = GuestInspector.inspect(fs);
        assertEquals(2, g.fstab().entries().size());
        assertEquals(List.of(
                "/etc/fstab line 2: 1 fields, fstab(5) has 3 to 6; line ignored: 'this-is-garbage'",
                "/etc/fstab line 3: 2 fields, fstab(5) has 3 to 6; line ignored: '?? x'",
                "/etc/fstab line 4: dump/pass field is not a number; taken as 0: '/dev/xvda1 none swap sw x y'"),
                g.warnings());
        assertEquals(new OsInfo("debian", "", "debian", OsFamily.DEBIAN, "/etc/os-release", PackageManager.UNKNOWN), g.os());
    }

    @Test
    void missingFilesAreToleratedAndReported() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("empty").dir("/etc");
        InspectedGuest g = GuestInspector.inspect(fs);
        assertEquals(OsFamily.OTHER, g.os().family());
        assertNull(g.fstab());
        assertEquals(List.of(), g.kernels());
        assertEquals(InitSystem.UNKNOWN, g.initSystem());
        assertEquals(List.of("/etc/fstab: missing; no mounts will be translated",
                "no network configuration found (ifupdown, ifcfg, netplan, networkd, NetworkManager)"), g.warnings());
    }

    @Test
    void symlinkLoopIsAClearErrorNotAHang() throws Exception {
        MemoryFileSystem fs = GuestTrees.debianXenTools();
        fs.delete("/etc/fstab");
        fs.symlink("/etc/fstab", "/etc/fstab");
        FileSystemException e = assertThrows(FileSystemException.class, () -> GuestInspector.inspect(fs));
        assertEquals("debian-xen-tools: /etc/fstab: too many levels of symbolic links (more than 40); the guest has a symlink loop",
                e.getMessage());
    }

    @Test
    void oversizedConfigFileIsRefused() throws Exception {
        MemoryFileSystem fs = GuestTrees.debianXenTools();
        fs.writeFile("/etc/fstab", new byte[TextFiles.MAX_CONFIG_BYTES + 1], 0644, 0, 0);
        FileSystemException e = assertThrows(FileSystemException.class, () -> GuestInspector.inspect(fs));
        assertEquals("debian-xen-tools: /etc/fstab: file is 1048577 bytes, more than the 1048576 allowed", e.getMessage());
    }

    @Test
    void otherNetworkStylesAndUpstart() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("ubuntu");
        fs.file("/etc/os-release", "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"14.04\"\nPRETTY_NAME=\"Ubuntu 14.04.6 LTS\"\n");
        fs.file("/sbin/initctl", "x").file("/etc/init/hvc0.conf", "exec /sbin/getty -8 38400 hvc0\n").file("/etc/init/tty1.conf", "x");
        fs.file("/etc/netplan/01-netcfg.yaml", "network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n    eth1:\n      addresses: [10.0.0.2/24]\n");
        fs.file("/etc/systemd/network/20-wired.network", "[Match]\nName=ens3\n\n[Network]\nDHCP=yes\n");
        fs.file("/etc/NetworkManager/system-connections/wired.nmconnection", "[connection]\nid=wired\ninterface-name=eth2\n");
        InspectedGuest g = GuestInspector.inspect(fs);
        assertEquals(OsFamily.DEBIAN, g.os().family());
        assertEquals(InitSystem.UPSTART, g.initSystem());
        assertEquals(new NetworkConfig(List.of(NetworkStyle.NETPLAN, NetworkStyle.SYSTEMD_NETWORKD, NetworkStyle.NETWORKMANAGER),
                List.of("eth0", "eth1", "ens3", "eth2")), g.network());
        assertEquals(List.of("hvc0"), g.consoles());
    }

    @Test
    void hypervisorEntriesAreReadAsPygrubBootsThem() throws Exception {
        InspectedGuest rhel5 = GuestInspector.inspect(GuestTrees.fixture("rhel5"));
        assertEquals(new BootEntry("CentOS (2.6.18-398.el5xen)", "/vmlinuz-2.6.18-398.el5xen", "/initrd-2.6.18-398.el5xen.img",
                "ro root=/dev/VolGroup00/LogVol00 console=xvc0"), rhel5.bootloader().defaultBootEntry().orElseThrow());
        assertEquals(3, rhel5.bootloader().entries().size());
        InspectedGuest rhel6 = GuestInspector.inspect(GuestTrees.fixture("rhel6"));
        BootEntry e = rhel6.bootloader().entries().get(0);
        assertEquals("/vmlinuz-2.6.32-754.el6.x86_64", e.kernelPath());
        assertEquals("/initramfs-2.6.32-754.el6.x86_64.img", e.initrdPath());
        assertTrue(e.cmdline().endsWith(" rhgb quiet console=hvc0"), e.cmdline());
        assertEquals(List.of("hvc0"), rhel6.consoles());
        assertEquals(InitSystem.UPSTART, rhel6.initSystem());
        assertEquals(new NetworkConfig(List.of(NetworkStyle.IFCFG), List.of("eth0", "eth1")), rhel6.network());
    }
}
