package org.xen2kvm.initramfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.ExternalTool;

/**
 * Golden tests of the three rebuilders on fixtures laid out as each tool lays out its images,
 * with real modules of a Debian kernel and indexes from the real depmod; the results are read
 * back by kmod's modprobe, lsinitramfs and lsinitrd.
 */
class RebuildTest {
    private static final Path EXPECTED = Path.of("src/test/resources/org/xen2kvm/initramfs/expected");
    /** xvda1 is the root disk, now vda1; the Xen swap disk xvda2 has no KVM counterpart. */
    static final Function<String, Optional<String>> DEVICES = dev -> dev.startsWith("/dev/xvda1")
            ? Optional.of(dev.replace("/dev/xvda1", "/dev/vda1")) : Optional.empty();
    static final List<String> KVM_MODULES = List.of("virtio_pci", "virtio_blk", "virtio_net", "virtio_scsi");

    static DepmodModuleSupply supply;

    @TempDir
    Path tmp;

    @BeforeAll
    static void modules() throws Exception {
        supply = DepmodModuleSupply.fetch();
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Laid out as Debian 12's mkinitramfs does (read from a real one): merged /usr, early microcode archive, zstd main. */
    static InitramfsImage initramfsToolsFixture() throws IOException {
        String mods = "usr/lib/modules/" + supply.release();
        ModuleFile xen = supply.module("xen-blkfront");
        List<CpioEntry> main = new ArrayList<>(List.of(
                CpioEntry.directory(".", 0755, 1),
                CpioEntry.symlink("bin", "usr/bin", 1),
                CpioEntry.directory("conf", 0755, 1),
                CpioEntry.file("conf/arch.conf", 0644, 1, text("DPKG_ARCH=amd64\n")),
                CpioEntry.directory("conf/conf.d", 0755, 1),
                CpioEntry.file("conf/conf.d/resume", 0644, 1, text("RESUME=/dev/xvda2\n")),
                CpioEntry.file("conf/initramfs.conf", 0644, 1, text("MODULES=list\nBUSYBOX=auto\nCOMPRESS=zstd\nROOT=/dev/xvda1\n")),
                CpioEntry.file("init", 0755, 1, text("#!/bin/sh\n. /scripts/functions\nload_modules\n")),
                CpioEntry.symlink("lib", "usr/lib", 1),
                CpioEntry.directory("usr", 0755, 1),
                CpioEntry.directory("usr/lib", 0755, 1),
                CpioEntry.directory("usr/lib/modules", 0755, 1),
                CpioEntry.directory(mods, 0755, 1),
                CpioEntry.directory(mods + "/kernel", 0755, 1),
                CpioEntry.file(mods + "/" + xen.relativePath(), 0644, 1, xen.data()),
                CpioEntry.file(mods + "/modules.dep", 0644, 1, text(xen.relativePath() + ":\n"))));
        List<CpioEntry> early = List.of(CpioEntry.directory("kernel", 0755, 1),
                CpioEntry.file("kernel/x86/microcode/AuthenticAMD.bin", 0644, 1, text("microcode")));
        return new InitramfsImage(List.of(new InitramfsSegment(0, Compression.NONE, List.of(new CpioArchive(early, 0))),
                new InitramfsSegment(0, Compression.ZSTD, List.of(new CpioArchive(main, 0)))), 0);
    }

    @Test
    void initramfsTools() throws Exception {
        InitramfsImage image = initramfsToolsFixture();
        Rebuilt r = InitramfsToolsRebuild.rebuild(image, supply.release(), supply, KVM_MODULES, DEVICES);
        InitramfsImage back = InitramfsImage.read("rebuilt", r.image().write());
        golden("initramfs-tools.txt", r, back, "conf/modules", "conf/conf.d/resume", "conf/initramfs.conf");
        assertEquals(image.segments().get(0), back.segments().get(0), "early archive untouched");
        assertEquals(Compression.ZSTD, back.segments().get(1).compression());
        Path file = tmp.resolve("initrd.img");
        Files.write(file, back.write());
        String listing = ExternalTool.run(List.of("lsinitramfs", file.toString())).output();
        assertTrue(listing.contains("usr/lib/modules/" + supply.release() + "/kernel/drivers/block/virtio_blk.ko"), listing);
        showDepends(back, "usr", "virtio_blk");
        // Nothing to add the second time.
        Rebuilt again = InitramfsToolsRebuild.rebuild(back, supply.release(), supply, KVM_MODULES, DEVICES);
        assertEquals(List.of(), again.changes());
    }

    static InitramfsImage dracutFixture() throws IOException {
        String mods = "usr/lib/modules/" + supply.release();
        ModuleFile xen = supply.module("xen-blkfront");
        return InitramfsImage.of(Compression.GZIP, List.of(
                CpioEntry.directory(".", 0755, 1),
                CpioEntry.directory("etc", 0755, 1),
                CpioEntry.directory("etc/cmdline.d", 0755, 1),
                CpioEntry.file("etc/cmdline.d/95root-dev.conf", 0644, 1, text(" root=/dev/xvda1 rootfstype=ext4 rootflags=rw,relatime\n")),
                CpioEntry.file("etc/cmdline.d/95resume.conf", 0644, 1, text(" resume=/dev/xvda2\n")),
                CpioEntry.symlink("init", "usr/lib/systemd/systemd", 1),
                CpioEntry.symlink("lib", "usr/lib", 1),
                CpioEntry.directory("usr", 0755, 1),
                CpioEntry.directory("usr/lib", 0755, 1),
                CpioEntry.directory("usr/lib/modules", 0755, 1),
                CpioEntry.directory(mods, 0755, 1),
                CpioEntry.file(mods + "/" + xen.relativePath(), 0644, 1, xen.data())));
    }

    @Test
    void dracut() throws Exception {
        Rebuilt r = DracutRebuild.rebuild(dracutFixture(), supply.release(), supply, KVM_MODULES, DEVICES);
        InitramfsImage back = InitramfsImage.read("rebuilt", r.image().write());
        golden("dracut.txt", r, back, "etc/cmdline.d/95root-dev.conf", "etc/cmdline.d/95resume.conf",
                "etc/cmdline.d/90xen2kvm.conf");
        Path file = tmp.resolve("dracut.img");
        Files.write(file, back.write());
        ExternalTool.Result list = ExternalTool.run(List.of("lsinitrd", file.toString()));
        assertEquals(0, list.exitCode(), list.output());
        assertTrue(list.output().contains("usr/lib/modules/" + supply.release() + "/kernel/drivers/block/virtio_blk.ko"),
                list.output());
        ExternalTool.Result cmdline = ExternalTool.run(List.of("lsinitrd", "-f", "etc/cmdline.d/90xen2kvm.conf", file.toString()));
        assertEquals("rd.driver.pre=virtio_pci,virtio_blk,virtio_net,virtio_scsi", cmdline.output().trim());
        showDepends(back, "usr", "virtio_net");
    }

    static InitramfsImage nashFixture(String init) throws IOException {
        List<CpioEntry> entries = new ArrayList<>(List.of(
                CpioEntry.directory("bin", 0755, 1),
                CpioEntry.file("bin/nash", 0755, 1, text("nash binary stands here")),
                CpioEntry.symlink("bin/insmod", "nash", 1),
                CpioEntry.directory("dev", 0755, 1),
                CpioEntry.charDevice("dev/console", 0600, 5, 1, 1),
                CpioEntry.directory("lib", 0755, 1)));
        for (String m : List.of("ehci-hcd", "ohci-hcd", "uhci-hcd", "jbd", "ext3", "xenblk", "dm-mod", "dm-mirror", "dm-zero",
                "dm-snapshot")) {
            entries.add(CpioEntry.file("lib/" + m + ".ko", 0644, 1, text("RHEL5 module " + m)));
        }
        entries.add(CpioEntry.directory("sysroot", 0755, 1));
        entries.add(CpioEntry.file("init", 0700, 1, text(init)));
        return InitramfsImage.of(Compression.GZIP, entries);
    }

    static String rhel5Init() throws IOException {
        return Files.readString(Path.of("src/test/resources/org/xen2kvm/initramfs/nash-init-rhel5.txt"));
    }

    @Test
    void nash() throws Exception {
        Rebuilt r = NashRebuild.rebuild(nashFixture(rhel5Init()), supply, List.of("virtio_pci", "virtio_blk"), DEVICES);
        InitramfsImage back = InitramfsImage.read("rebuilt", r.image().write());
        golden("nash.txt", r, back, "init");
        String init = new String(back.find("init").orElseThrow().data(), StandardCharsets.ISO_8859_1);
        // Each module after the modules it needs, all before the block devices are used.
        List<String> lines = init.lines().toList();
        int lvm = lines.indexOf("lvm vgscan --ignorelockingfailure");
        for (ModuleFile m : supply.loadOrder(List.of("virtio_pci", "virtio_blk"))) {
            int at = lines.indexOf("insmod /lib/" + m.fileName());
            assertTrue(at > 0 && at < lvm, m.fileName() + " at line " + at);
            assertArrayEquals(m.data(), back.find("lib/" + m.fileName()).orElseThrow().data());
        }
        assertEquals(0700, back.find("init").orElseThrow().mode() & 07777);
    }

    @Test
    void nashMapsAXenRootDevice() throws Exception {
        String init = rhel5Init().replace("mkrootdev -t ext3 -o defaults,ro /dev/VolGroup00/LogVol00",
                "mkrootdev -t ext3 -o defaults,ro xvda1");
        Rebuilt r = NashRebuild.rebuild(nashFixture(init), supply, List.of("virtio_blk"), DEVICES);
        String out = new String(r.image().find("init").orElseThrow().data(), StandardCharsets.ISO_8859_1);
        assertTrue(out.contains("\nmkrootdev -t ext3 -o defaults,ro vda1\n"), out);
        assertFalse(out.contains("resume /dev/xvda2"), out);
        assertThrows(InitramfsFormatException.class, () -> NashRebuild.rebuild(
                InitramfsImage.of(Compression.GZIP, List.of(CpioEntry.file("init", 0755, 1, text("#!/bin/sh\n")))),
                supply, List.of("virtio_blk"), DEVICES));
    }

    /** kmod's modprobe resolves the dependencies from the image's modules.dep.bin. */
    private void showDepends(InitramfsImage image, String under, String module) throws Exception {
        Path root = tmp.resolve("root-" + module);
        for (CpioEntry e : image.entries()) {
            if (e.isRegular() && e.path().startsWith(under + "/lib/modules/")) {
                Path f = root.resolve(e.path());
                Files.createDirectories(f.getParent());
                Files.write(f, e.data());
            }
        }
        ExternalTool.Result r = ExternalTool.run(List.of("modprobe", "-d", root.resolve(under).toString(), "-S", supply.release(),
                "--show-depends", module));
        assertEquals(0, r.exitCode(), r.output());
        for (ModuleFile m : supply.loadOrder(List.of(module))) {
            assertTrue(r.output().contains(m.relativePath()), m.relativePath() + " in\n" + r.output());
        }
    }

    /** Compares the changes and the named files with a golden file (the kernel release written as RELEASE). */
    private void golden(String name, Rebuilt r, InitramfsImage image, String... files) throws IOException {
        StringBuilder s = new StringBuilder("changes:\n");
        for (String c : r.changes()) {
            s.append("  ").append(c).append('\n');
        }
        for (String f : files) {
            s.append("--- ").append(f).append('\n').append(DepmodModuleSupply.text(image.find(f).orElseThrow().data()));
        }
        String actual = s.toString().replace(supply.release(), "RELEASE");
        Path expected = EXPECTED.resolve(name);
        if (!Files.exists(expected) || Boolean.getBoolean("xen2kvm.updateGolden")) {
            Files.writeString(expected, actual);
        }
        assertEquals(Files.readString(expected), actual, "golden file " + expected + " (-Dxen2kvm.updateGolden=true rewrites it)");
    }
}
