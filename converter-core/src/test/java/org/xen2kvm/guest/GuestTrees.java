package org.xen2kvm.guest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.xen2kvm.fs.MemoryFileSystem;

/**
 * In-memory root filesystems shaped like the Xen guests xen2kvm converts. File contents
 * follow what the distributions install (trimmed to the lines that matter).
 */
public final class GuestTrees {

    private GuestTrees() {
    }

    /** A newc cpio archive written by commons-compress (an implementation independent of ours). */
    public static byte[] cpio(String... paths) throws IOException {
        java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        for (String p : paths) {
            files.put(p, ("contents of " + p).getBytes(StandardCharsets.UTF_8));
        }
        return cpio(files);
    }

    /** A newc cpio archive of these files and contents, in order. */
    public static byte[] cpio(java.util.Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CpioArchiveOutputStream c = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW)) {
            for (java.util.Map.Entry<String, byte[]> f : files.entrySet()) {
                String p = f.getKey();
                byte[] data = f.getValue();
                CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, p, data.length);
                e.setMode(CpioConstants.C_ISREG | 0644);
                c.putArchiveEntry(e);
                c.write(data);
                c.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** Where the file sets of {@link #fixture(String)} live (tests run in the module directory). */
    public static final java.nio.file.Path FIXTURES = java.nio.file.Path.of("src/test/resources/org/xen2kvm/guest/fixtures");

    /**
     * A guest file set from {@code fixtures/NAME/} (regular files and directories, as they are)
     * and {@code fixtures/NAME.manifest} ({@code link PATH TARGET}, {@code initrd PATH MEMBER...}).
     */
    public static MemoryFileSystem fixture(String name) throws IOException {
        MemoryFileSystem fs = new MemoryFileSystem(name);
        java.nio.file.Path root = FIXTURES.resolve(name);
        if (!java.nio.file.Files.isDirectory(root)) {
            throw new java.io.FileNotFoundException(root + ": no such guest file set");
        }
        java.util.List<java.nio.file.Path> paths;
        try (var walk = java.nio.file.Files.walk(root)) {
            paths = walk.sorted().toList();
        }
        for (java.nio.file.Path p : paths) {
            String guestPath = "/" + root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
            if (guestPath.equals("/")) {
                continue;
            }
            if (java.nio.file.Files.isDirectory(p)) {
                fs.dir(guestPath);
            } else {
                fs.mkdirs(guestPath.substring(0, guestPath.lastIndexOf('/')));
                fs.writeFile(guestPath, java.nio.file.Files.readAllBytes(p), 0644, 0, 0);
            }
        }
        java.nio.file.Path manifest = FIXTURES.resolve(name + ".manifest");
        int lineNo = 0;
        for (String line : java.nio.file.Files.readAllLines(manifest)) {
            lineNo++;
            String[] w = line.strip().split("\\s+");
            if (line.isBlank() || w[0].startsWith("#")) {
                continue;
            }
            if (w[0].equals("link") && w.length == 3) {
                fs.link(w[1], w[2]);
            } else if (w[0].equals("initrd") && w.length >= 3) {
                fs.mkdirs(w[1].substring(0, w[1].lastIndexOf('/')));
                // As mkinitrd does, a member that is also a file of the guest (etc/lvm/lvm.conf) is its copy.
                java.util.Map<String, byte[]> members = new java.util.LinkedHashMap<>();
                for (String m : java.util.Arrays.copyOfRange(w, 2, w.length)) {
                    members.put(m, fs.exists("/" + m) ? fs.readFile("/" + m, 1 << 20)
                            : ("contents of " + m).getBytes(StandardCharsets.UTF_8));
                }
                fs.writeFile(w[1], gzip(cpio(members)), 0600, 0, 0);
            } else {
                throw new IllegalArgumentException(manifest + " line " + lineNo + ": expected 'link PATH TARGET' or"
                        + " 'initrd PATH MEMBER...', got '" + line + "'");
            }
        }
        return fs;
    }

    /**
     * A zstd-compressed initrd (Debian 12's default), one frame around a small newc archive with
     * the virtio disk modules, as initramfs-tools' MODULES=most puts them there.
     */
    private static final byte[] ZSTD_INITRD = zstd("conf/initramfs.conf", "usr/lib/modules/6.1.0-18-amd64/modules.dep",
            "usr/lib/modules/6.1.0-18-amd64/kernel/drivers/block/virtio_blk.ko",
            "usr/lib/modules/6.1.0-18-amd64/kernel/drivers/virtio/virtio_pci.ko");

    private static byte[] zstd(String... members) {
        try {
            byte[] plain = cpio(members);
            io.airlift.compress.zstd.ZstdCompressor z = new io.airlift.compress.zstd.ZstdCompressor();
            byte[] out = new byte[z.maxCompressedLength(plain.length)];
            int n = z.compress(plain, 0, plain.length, out, 0, out.length);
            return java.util.Arrays.copyOf(out, n);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static MemoryFileSystem debian12Base(String name) throws IOException {
        MemoryFileSystem fs = new MemoryFileSystem(name);
        // Debian 12 is merged-/usr: /lib and /sbin are relative symlinks into /usr.
        fs.dir("/usr/lib/systemd/system").dir("/usr/sbin").dir("/etc/systemd/system");
        fs.link("/lib", "usr/lib").link("/sbin", "usr/sbin").link("/bin", "usr/bin");
        fs.file("/usr/lib/systemd/systemd", "\u007fELF");
        fs.link("/usr/sbin/init", "../lib/systemd/systemd");
        fs.file("/usr/lib/systemd/system/serial-getty@.service", "[Unit]\nDescription=Serial Getty on %I\n");
        fs.file("/usr/lib/systemd/system/getty@.service", "[Unit]\nDescription=Getty on %I\n");
        fs.link("/etc/systemd/system/getty.target.wants/getty@tty1.service", "/lib/systemd/system/getty@.service");
        fs.file("/etc/os-release", """
                PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
                NAME="Debian GNU/Linux"
                VERSION_ID="12"
                VERSION="12 (bookworm)"
                VERSION_CODENAME=bookworm
                ID=debian
                HOME_URL="https://www.debian.org/"
                """);
        fs.file("/etc/debian_version", "12.5\n");
        fs.file("/etc/network/interfaces", """
                # This file describes the network interfaces available on your system
                # and how to activate them. For more information, see interfaces(5).

                source /etc/network/interfaces.d/*

                # The loopback network interface
                auto lo
                iface lo inet loopback

                # The primary network interface
                auto eth0
                iface eth0 inet static
                \taddress 192.168.122.50/24
                \tgateway 192.168.122.1
                """);
        fs.dir("/etc/network/interfaces.d");
        fs.file("/etc/initramfs-tools/initramfs.conf", "# initramfs.conf\nMODULES=most\nBUSYBOX=auto\nCOMPRESS=zstd\n");
        fs.file("/boot/vmlinuz-6.1.0-18-amd64", "kernel");
        fs.writeFile("/boot/initrd.img-6.1.0-18-amd64", ZSTD_INITRD, 0644, 0, 0);
        fs.file("/boot/System.map-6.1.0-18-amd64", "map");
        fs.file("/boot/config-6.1.0-18-amd64", "config");
        fs.file("/boot/vmlinuz-6.1.0-9-amd64", "kernel");
        fs.writeFile("/boot/initrd.img-6.1.0-9-amd64", ZSTD_INITRD, 0644, 0, 0);
        return fs;
    }

    /** Guest (a): xen-tools layout, root ext4 as xvda2, swap as xvda1, kernel booted by Xen directly. */
    public static MemoryFileSystem debianXenTools() throws IOException {
        MemoryFileSystem fs = debian12Base("debian-xen-tools");
        fs.link("/etc/systemd/system/getty.target.wants/serial-getty@hvc0.service",
                "/lib/systemd/system/serial-getty@.service");
        fs.file("/etc/fstab", """
                # /etc/fstab: static file system information.
                #
                # <file system> <mount point>   <type>  <options>       <dump>  <pass>
                proc            /proc           proc    defaults        0       0
                /dev/xvda2      /               ext4    noatime,errors=remount-ro 0 1
                /dev/xvda1      none            swap    sw              0       0
                """);
        return fs;
    }

    /** Guest (b): pygrub layout, MBR disk xvda with ext4 in partition 1, GRUB 2, swap on xvdb. */
    public static MemoryFileSystem debianPygrub() throws IOException {
        MemoryFileSystem fs = debian12Base("debian-pygrub");
        fs.file("/etc/fstab", """
                # /etc/fstab: static file system information.
                /dev/xvda1\t/\text4\terrors=remount-ro\t0\t1
                /dev/xvdb\tnone\tswap\tsw\t0\t0
                """);
        fs.file("/boot/grub/grub.cfg", """
                #
                # DO NOT EDIT THIS FILE
                #
                set default="0"
                insmod part_msdos
                insmod ext2
                set root='hd0,msdos1'
                terminal_output console
                set timeout=5
                menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os $menuentry_id_option 'gnulinux-simple-/dev/xvda1' {
                \tload_video
                \tinsmod gzio
                \tinsmod part_msdos
                \tinsmod ext2
                \tset root='hd0,msdos1'
                \techo\t'Loading Linux 6.1.0-18-amd64 ...'
                \tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=/dev/xvda1 ro console=hvc0
                \techo\t'Loading initial ramdisk ...'
                \tinitrd\t/boot/initrd.img-6.1.0-18-amd64
                }
                submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-/dev/xvda1' {
                \tmenuentry 'Debian GNU/Linux, with Linux 6.1.0-18-amd64 (recovery mode)' --class debian $menuentry_id_option 'gnulinux-6.1.0-18-amd64-recovery-/dev/xvda1' {
                \t\tset root='hd0,msdos1'
                \t\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=/dev/xvda1 ro single console=hvc0
                \t\tinitrd\t/boot/initrd.img-6.1.0-18-amd64
                \t}
                }
                """);
        fs.file("/etc/default/grub", """
                # If you change this file, run 'update-grub' afterwards to update
                # /boot/grub/grub.cfg.

                GRUB_DEFAULT=0
                GRUB_TIMEOUT=5
                GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
                GRUB_CMDLINE_LINUX_DEFAULT="quiet"
                GRUB_CMDLINE_LINUX="console=hvc0"
                GRUB_DISABLE_LINUX_UUID=true
                """);
        return fs;
    }

    /** A CentOS 5 PV guest: kernel-xen and kernel installed, xvc0 console, LVM root, ifcfg networking. */
    public static MemoryFileSystem rhel5() throws IOException {
        MemoryFileSystem fs = new MemoryFileSystem("centos5");
        fs.file("/etc/redhat-release", "CentOS release 5.11 (Final)\n");
        fs.file("/sbin/init", "\u007fELF");
        fs.file("/etc/inittab", """
                #
                # inittab       This file describes how the INIT process should set up
                #               the system in a certain run-level.
                id:3:initdefault:
                si::sysinit:/etc/rc.d/rc.sysinit
                l3:3:wait:/etc/rc.d/rc 3
                ca::ctrlaltdel:/sbin/shutdown -t3 -r now
                # Run gettys in standard runlevels
                co:2345:respawn:/sbin/agetty xvc0 9600 vt100-nav
                1:2345:respawn:/sbin/mingetty tty1
                2:2345:respawn:/sbin/mingetty tty2
                """);
        fs.file("/etc/securetty", "console\nvc/1\nvc/2\ntty1\ntty2\nxvc0\n");
        fs.file("/etc/modprobe.conf", "alias eth0 xennet\nalias scsi_hostadapter xenblk\n");
        fs.file("/etc/fstab", """
                /dev/VolGroup00/LogVol00 /                       ext3    defaults        1 1
                LABEL=/boot             /boot                   ext3    defaults        1 2
                tmpfs                   /dev/shm                tmpfs   defaults        0 0
                devpts                  /dev/pts                devpts  gid=5,mode=620  0 0
                sysfs                   /sys                    sysfs   defaults        0 0
                proc                    /proc                   proc    defaults        0 0
                /dev/VolGroup00/LogVol01 swap                    swap    defaults        0 0
                /dev/xvdb1              /data                   ext3    defaults        1 2
                /dev/xvdc1              /scratch                ext3    defaults,nofail 0 0
                """);
        fs.file("/boot/grub/grub.conf", """
                # grub.conf generated by anaconda
                default=0
                timeout=5
                hiddenmenu
                title CentOS (2.6.18-398.el5xen)
                \troot (hd0,0)
                \tkernel /vmlinuz-2.6.18-398.el5xen ro root=/dev/VolGroup00/LogVol00 console=xvc0 xencons=xvc0
                \tinitrd /initrd-2.6.18-398.el5xen.img
                title CentOS (2.6.18-398.el5)
                \troot (hd0,0)
                \tkernel /vmlinuz-2.6.18-398.el5 ro root=/dev/VolGroup00/LogVol00
                \tinitrd /initrd-2.6.18-398.el5.img
                """);
        fs.link("/boot/grub/menu.lst", "./grub.conf");
        fs.file("/boot/vmlinuz-2.6.18-398.el5xen", "k");
        fs.writeFile("/boot/initrd-2.6.18-398.el5xen.img", gzip(cpio("init", "lib/xenblk.ko", "lib/ext3.ko")), 0600, 0, 0);
        fs.file("/boot/vmlinuz-2.6.18-398.el5", "k");
        // Built by mkinitrd on Xen: it took the disk driver from modprobe.conf's scsi_hostadapter.
        fs.writeFile("/boot/initrd-2.6.18-398.el5.img", gzip(cpio("init", "lib/xenblk.ko", "lib/ext3.ko")), 0600, 0, 0);
        fs.file("/etc/sysconfig/network-scripts/ifcfg-eth0", """
                # Xen Virtual Ethernet
                DEVICE=eth0
                BOOTPROTO=static
                HWADDR=00:16:3E:11:22:33
                IPADDR=192.168.122.60
                NETMASK=255.255.255.0
                ONBOOT=yes
                """);
        fs.file("/etc/sysconfig/network-scripts/ifcfg-lo", "DEVICE=lo\nIPADDR=127.0.0.1\n");
        return fs;
    }

    /** A SLES 11 SP4 PV guest with the -xen and -default kernels and a GRUB legacy menu. */
    public static MemoryFileSystem sles11() throws IOException {
        MemoryFileSystem fs = new MemoryFileSystem("sles11");
        fs.file("/etc/SuSE-release", "SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n");
        fs.file("/sbin/init", "\u007fELF");
        fs.file("/etc/inittab", """
                id:3:initdefault:
                si::bootwait:/etc/init.d/boot
                l3:3:wait:/etc/init.d/rc 3
                1:2345:respawn:/sbin/mingetty --noclear tty1
                x0:12345:respawn:/sbin/agetty -L 9600 xvc0 xterm
                """);
        fs.file("/etc/fstab", """
                /dev/xvda1           /                    ext3       acl,user_xattr        1 1
                /dev/xvda2           swap                 swap       defaults              0 0
                proc                 /proc                proc       defaults              0 0
                """);
        fs.file("/boot/grub/menu.lst", """
                # Modified by YaST2. Last modification on Mon Jan  1 00:00:00 UTC 2018
                default 0
                timeout 8

                ###Don't change this comment - YaST2 identifier: Original name: xen###
                title SUSE Linux Enterprise Server 11 SP4 - 3.0.101-63 (xen)
                    root (hd0,0)
                    kernel /boot/vmlinuz-3.0.101-63-xen root=/dev/xvda1 resume=/dev/xvda2 splash=silent showopts console=xvc0 xencons=xvc
                    initrd /boot/initrd-3.0.101-63-xen

                ###Don't change this comment - YaST2 identifier: Original name: linux###
                title SUSE Linux Enterprise Server 11 SP4 - 3.0.101-63
                    root (hd0,0)
                    kernel /boot/vmlinuz-3.0.101-63-default root=/dev/xvda1 resume=/dev/xvda2 splash=silent showopts
                    initrd /boot/initrd-3.0.101-63-default
                """);
        fs.file("/boot/vmlinuz-3.0.101-63-xen", "k");
        fs.file("/boot/initrd-3.0.101-63-xen", "i");
        fs.file("/boot/vmlinuz-3.0.101-63-default", "k");
        fs.file("/boot/vmlinux-3.0.101-63-default.gz", "debug symbols");
        fs.writeFile("/boot/initrd-3.0.101-63-default",
                gzip(cpio("init", "lib/modules/3.0.101-63-default/kernel/drivers/block/virtio_blk.ko",
                        "lib/modules/3.0.101-63-default/kernel/drivers/virtio/virtio_pci.ko")), 0644, 0, 0);
        fs.file("/etc/sysconfig/kernel", "INITRD_MODULES=\"xenblk\"\n");
        fs.file("/etc/sysconfig/network/ifcfg-eth0", "BOOTPROTO='dhcp'\nSTARTMODE='auto'\n");
        fs.file("/etc/udev/rules.d/70-persistent-net.rules", """
                # This file was automatically generated by the /lib/udev/write_net_rules
                # program, run by the persistent-net-generator.rules rules file.

                # Xen virtual device (vif)
                SUBSYSTEM=="net", ACTION=="add", DRIVERS=="vif", ATTR{address}=="00:16:3e:44:55:66", KERNEL=="eth*", NAME="eth0"
                """);
        return fs;
    }
}
