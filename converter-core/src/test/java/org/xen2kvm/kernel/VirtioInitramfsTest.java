package org.xen2kvm.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.InitrdCache;
import org.xen2kvm.initramfs.Compression;
import org.xen2kvm.initramfs.CpioArchive;
import org.xen2kvm.initramfs.CpioEntry;
import org.xen2kvm.initramfs.InitramfsImage;
import org.xen2kvm.initramfs.InitramfsSegment;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The rebuild on a guest root holding a real kernel's module tree (Debian's cloud kernel, whose
 * ext4 is built in and virtio is modules), with images laid out as initramfs-tools, dracut and
 * mkinitrd lay them out; the results are read back by kmod's modprobe and by lsinitramfs.
 */
class VirtioInitramfsTest {
    private static final Path EXPECTED = Path.of("src/test/resources/org/xen2kvm/kernel/expected");
    /** xvda1 is the root disk, now vda1; the Xen swap disk xvda2 has no KVM counterpart. */
    static final Function<String, Optional<String>> DEVICES = dev -> dev.startsWith("/dev/xvda1")
            ? Optional.of(dev.replace("/dev/xvda1", "/dev/vda1")) : Optional.empty();
    static final VirtioInitramfs.Needs EXT4 = VirtioInitramfs.Needs.of("ext4", false);

    @TempDir
    Path tmp;
    String release;
    GuestFileSystem fs;

    @BeforeEach
    void guest() throws Exception {
        release = GuestWithKernel.release();
        fs = GuestWithKernel.create(release);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] module(String rel) throws Exception {
        return fs.readFile("/lib/modules/" + release + "/" + rel, 64 << 20);
    }

    /** Debian 12's mkinitramfs layout with MODULES=list (xen-blkfront only): merged /usr, early microcode, gzip main. */
    InitramfsImage initramfsTools(String rel) throws Exception {
        String mods = "usr/lib/modules/" + rel;
        String xen = "kernel/drivers/block/xen-blkfront.ko";
        List<CpioEntry> main = new ArrayList<>(List.of(
                CpioEntry.directory(".", 0755, 1),
                CpioEntry.symlink("bin", "usr/bin", 1),
                CpioEntry.directory("conf", 0755, 1),
                CpioEntry.directory("conf/conf.d", 0755, 1),
                CpioEntry.file("conf/conf.d/resume", 0644, 1, text("RESUME=/dev/xvda2\n")),
                CpioEntry.file("conf/initramfs.conf", 0644, 1, text("MODULES=list\nBUSYBOX=auto\n")),
                CpioEntry.file("conf/modules", 0644, 1, text("xen-blkfront\n")),
                CpioEntry.file("init", 0755, 1, text("#!/bin/sh\n. /scripts/functions\nload_modules\n")),
                CpioEntry.symlink("lib", "usr/lib", 1),
                CpioEntry.directory("scripts", 0755, 1),
                CpioEntry.file("scripts/functions", 0644, 1, text("load_modules() { :; }\n")),
                CpioEntry.directory("usr", 0755, 1),
                CpioEntry.directory("usr/lib", 0755, 1),
                CpioEntry.directory("usr/lib/modules", 0755, 1),
                CpioEntry.directory(mods, 0755, 1),
                CpioEntry.file(mods + "/" + xen, 0644, 1, module(xen)),
                CpioEntry.file(mods + "/modules.dep", 0644, 1, text(xen + ":\n"))));
        List<CpioEntry> early = List.of(CpioEntry.directory("kernel", 0755, 1),
                CpioEntry.file("kernel/x86/microcode/AuthenticAMD.bin", 0644, 1, text("microcode")));
        return new InitramfsImage(List.of(new InitramfsSegment(0, Compression.NONE, List.of(new CpioArchive(early, 0))),
                new InitramfsSegment(0, Compression.GZIP, List.of(new CpioArchive(main, 0)))), 0);
    }

    /** A dracut host-only image: its own files under usr/lib/dracut, the root and resume on the command line. */
    InitramfsImage dracut() throws Exception {
        String mods = "usr/lib/modules/" + release;
        String xen = "kernel/drivers/block/xen-blkfront.ko";
        return InitramfsImage.of(Compression.GZIP, List.of(
                CpioEntry.directory(".", 0755, 1),
                CpioEntry.directory("etc/cmdline.d", 0755, 1),
                CpioEntry.file("etc/cmdline.d/95root-dev.conf", 0644, 1, text(" root=/dev/xvda1 rootfstype=ext4\n")),
                CpioEntry.file("etc/cmdline.d/95resume.conf", 0644, 1, text(" resume=/dev/xvda2\n")),
                CpioEntry.symlink("lib", "usr/lib", 1),
                CpioEntry.file("usr/lib/dracut/build-parameter.txt", 0644, 1, text("--kver '" + release + "'\n")),
                CpioEntry.directory(mods, 0755, 1),
                CpioEntry.file(mods + "/" + xen, 0644, 1, module(xen))));
    }

    private String put(String path, InitramfsImage image) throws Exception {
        fs.writeFile(path, image.write(), 0600, 0, 0);
        return path;
    }

    @Test
    void aRebuildWrittenThroughTheConversionsInitrdsIsNotInflatedAgain() throws Exception {
        String initrd = put("/boot/initrd.img-" + release, initramfsTools(release));
        InitrdCache initrds = InitrdCache.empty();
        assertTrue(VirtioInitramfs.ensure(fs, initrds, release, initrd, EXT4, DEVICES).changed());
        VirtioInitramfs.Result again = VirtioInitramfs.ensure(fs, initrds, release, initrd, EXT4, DEVICES);
        assertFalse(again.changed(), again.changes().toString());
        assertEquals(java.util.Map.of(initrd, 1), initrds.inflations());
        // The image the cache kept is the one written.
        assertEquals(InitramfsImage.read(initrd, fs.readFile(initrd, 64 << 20)), initrds.image(fs, initrd));
    }

    @Test
    void initramfsToolsGetsVirtioAndLosesTheXenResume() throws Exception {
        String initrd = put("/boot/initrd.img-" + release, initramfsTools(release));
        VirtioInitramfs.Result r = VirtioInitramfs.ensure(fs, release, initrd, EXT4, DEVICES);
        assertTrue(r.changed());
        assertEquals(InitramfsFormat.INITRAMFS_TOOLS, r.format());
        golden("initramfs-tools.txt", r);
        // ext4 is built into the cloud kernel: not added.
        // As a set: the order between modules depends on the kernel build (see orderFree).
        assertEquals(new java.util.TreeSet<>(List.of("virtio", "virtio_ring", "virtio_pci_modern_dev",
                "virtio_pci_legacy_dev", "virtio_pci", "virtio_blk", "scsi_common", "scsi_mod", "virtio_scsi")),
                new java.util.TreeSet<>(r.modulesAdded()));
        assertEquals(0600, fs.stat(initrd).orElseThrow().mode() & 07777, "mode kept");
        Path file = Files.write(tmp.resolve("initrd.img"), fs.readFile(initrd, 64 << 20));
        InitramfsImage back = InitramfsImage.read(initrd, Files.readAllBytes(file));
        assertEquals(initramfsTools(release).segments().get(0), back.segments().get(0), "early archive untouched");
        assertEquals("RESUME=none\n", new String(back.find("conf/conf.d/resume").orElseThrow().data(), StandardCharsets.UTF_8));
        assertTrue(new String(back.find("conf/modules").orElseThrow().data(), StandardCharsets.UTF_8).contains("\nvirtio_blk\n"));
        String listing = ExternalTool.run(List.of("lsinitramfs", file.toString())).output();
        assertTrue(listing.contains("usr/lib/modules/" + release + "/kernel/drivers/block/virtio_blk.ko"), listing);
        assertTrue(listing.contains("usr/lib/modules/" + release + "/modules.builtin.modinfo"), listing);
        showDepends(back, "usr", release, "virtio_blk", "kernel/drivers/virtio/virtio_ring.ko");
        showDepends(back, "usr", release, "virtio_pci", "kernel/drivers/virtio/virtio_pci_modern_dev.ko");
        // A second conversion finds nothing to do and leaves the file alone, without reading the tree.
        byte[] once = fs.readFile(initrd, 64 << 20);
        VirtioInitramfs.Result again = VirtioInitramfs.ensure(fs, release, initrd, EXT4, DEVICES);
        assertFalse(again.changed(), again.changes().toString());
        assertEquals(List.of(), again.changes());
        assertArrayEquals(once, fs.readFile(initrd, 64 << 20));
    }

    @Test
    void dracutGetsVirtioLoadedBeforeRoot() throws Exception {
        String initrd = put("/boot/initrd.img-" + release, dracut());
        VirtioInitramfs.Result r = VirtioInitramfs.ensure(fs, release, initrd, EXT4, DEVICES);
        assertTrue(r.changed());
        assertEquals(InitramfsFormat.DRACUT, r.format());
        golden("dracut.txt", r);
        Path file = Files.write(tmp.resolve("initrd.img"), fs.readFile(initrd, 64 << 20));
        ExternalTool.Result cmdline = ExternalTool.run(List.of("lsinitrd", "-f", "etc/cmdline.d/90xen2kvm.conf", file.toString()));
        assertEquals("rd.driver.pre=virtio_pci,virtio_pci_modern_dev,virtio_pci_legacy_dev,virtio_blk,virtio_scsi",
                cmdline.output().trim());
        ExternalTool.Result root = ExternalTool.run(List.of("lsinitrd", "-f", "etc/cmdline.d/95root-dev.conf", file.toString()));
        assertEquals("root=/dev/vda1 rootfstype=ext4", root.output().trim());
        InitramfsImage back = InitramfsImage.read(initrd, Files.readAllBytes(file));
        showDepends(back, "usr", release, "virtio_scsi", "kernel/drivers/scsi/scsi_mod.ko");
    }

    @Test
    void lvmRootAddsDeviceMapperOnlyWithTheLvmTool() throws Exception {
        VirtioInitramfs.Needs lvm = VirtioInitramfs.Needs.of("ext4", true);
        String initrd = put("/boot/initrd.img-" + release, initramfsTools(release));
        InitramfsRefusedException e = assertThrows(InitramfsRefusedException.class,
                () -> VirtioInitramfs.ensure(fs, release, initrd, lvm, DEVICES));
        assertTrue(e.getMessage().contains("no lvm tool"), e.getMessage());
        put(initrd, initramfsTools(release).put(CpioEntry.file("usr/sbin/lvm", 0755, 1, text("ELF"))));
        VirtioInitramfs.Result r = VirtioInitramfs.ensure(fs, release, initrd, lvm, DEVICES);
        assertTrue(r.modulesAdded().contains("dm_mod"), r.modulesAdded().toString());
    }

    @Test
    void unknownImageIsRefusedAndLeftAlone() throws Exception {
        InitramfsImage other = InitramfsImage.of(Compression.GZIP, List.of(CpioEntry.file("init", 0755, 1, text("#!/bin/sh\n"))));
        String initrd = put("/boot/initrd.img-" + release, other);
        byte[] before = fs.readFile(initrd, 1 << 20);
        InitramfsRefusedException e = assertThrows(InitramfsRefusedException.class,
                () -> VirtioInitramfs.ensure(fs, release, initrd, EXT4, DEVICES));
        assertEquals(initrd + ": not an image initramfs-tools, dracut or mkinitrd built (no conf/initramfs.conf, "
                + "usr/lib/dracut/ or nash /init in it); not rebuilt", e.getMessage());
        assertArrayEquals(before, fs.readFile(initrd, 1 << 20));
    }

    @Test
    void kernelWithoutVirtioIsRefused() throws Exception {
        String initrd = put("/boot/initrd.img-" + release, initramfsTools(release));
        fs.delete("/lib/modules/" + release + "/kernel/drivers/block/virtio_blk.ko");
        InitramfsRefusedException e = assertThrows(InitramfsRefusedException.class,
                () -> VirtioInitramfs.ensure(fs, release, initrd, EXT4, DEVICES));
        assertTrue(e.getMessage().startsWith("kernel " + release + " has no virtio_blk module"), e.getMessage());
    }

    @Test
    void nashImageGetsInsmodLines() throws Exception {
        String xen = "kernel/drivers/block/xen-blkfront.ko";
        InitramfsImage nash = InitramfsImage.of(Compression.GZIP, List.of(
                CpioEntry.file("init", 0755, 1, text("#!/bin/nash\nmount -t proc /proc /proc\n"
                        + "echo \"Loading xen-blkfront.ko module\"\ninsmod /lib/xen-blkfront.ko\nmkblkdevs\n"
                        + "resume /dev/xvda2\nmkrootdev -t ext3 -o defaults,ro xvda1\n")),
                CpioEntry.file("lib/xen-blkfront.ko", 0644, 1, module(xen))));
        assertEquals(InitramfsFormat.NASH, InitramfsFormat.detect(nash));
        String initrd = put("/boot/initrd-" + release + ".img", nash);
        VirtioInitramfs.Result r = VirtioInitramfs.ensure(fs, release, initrd, VirtioInitramfs.Needs.of("ext3", false), DEVICES);
        assertTrue(r.changed());
        InitramfsImage back = InitramfsImage.read(initrd, fs.readFile(initrd, 64 << 20));
        String init = new String(back.find("init").orElseThrow().data(), StandardCharsets.ISO_8859_1);
        assertTrue(init.contains("insmod /lib/virtio_blk.ko\n"), init);
        assertTrue(init.contains("mkrootdev -t ext3 -o defaults,ro vda1"), init);
        assertFalse(init.contains("resume"), init);
        // ext3 is mounted by ext4 (fs-ext3), built into this kernel: nothing added for it.
        assertFalse(r.modulesAdded().contains("ext4"), r.modulesAdded().toString());
    }

    @Test
    void newKernelGetsTheOldImagesUserspaceAndItsOwnModules() throws Exception {
        // The template is the image of an older kernel ("6.1.0-1-amd64"), the new kernel's tree is in the guest.
        InitramfsImage template = initramfsTools("6.1.0-1-amd64");
        byte[] built = VirtioInitramfs.buildFor(fs, template, release, EXT4, DEVICES);
        InitramfsImage image = InitramfsImage.read("built", built);
        for (CpioEntry e : image.entries()) {
            assertFalse(e.path().contains("6.1.0-1-amd64"), e.path());
        }
        assertEquals(template.segments().get(0), image.segments().get(0), "early archive untouched");
        assertTrue(image.find("scripts/functions").isPresent());
        assertEquals("RESUME=none\n", new String(image.find("conf/conf.d/resume").orElseThrow().data(), StandardCharsets.UTF_8));
        // The old image's xen-blkfront comes along (the guest may still boot on Xen), virtio is added.
        showDepends(image, "usr", release, "xen_blkfront", "kernel/drivers/block/xen-blkfront.ko");
        showDepends(image, "usr", release, "virtio_blk", "kernel/drivers/virtio/virtio_ring.ko");
        showDepends(image, "usr", release, "virtio_pci", "kernel/drivers/virtio/virtio_pci_legacy_dev.ko");
    }

    @Test
    void formats() {
        assertEquals(InitramfsFormat.UNKNOWN, InitramfsFormat.detect(InitramfsImage.of(Compression.NONE, List.of())));
        assertEquals(InitramfsFormat.INITRAMFS_TOOLS, InitramfsFormat.detect(InitramfsImage.of(Compression.NONE,
                List.of(CpioEntry.file("scripts/local", 0644, 1, text(""))))));
        assertEquals(InitramfsFormat.DRACUT, InitramfsFormat.detect(InitramfsImage.of(Compression.NONE,
                List.of(CpioEntry.file("lib/dracut/dracut-lib.sh", 0644, 1, text(""))))));
        assertEquals(InitramfsFormat.UNKNOWN, InitramfsFormat.detect(InitramfsImage.of(Compression.NONE,
                List.of(CpioEntry.file("init", 0755, 1, text("#!/bin/na"))))));
    }

    /**
     * kmod's modprobe, on the module tree extracted from the image, finds {@code module} and
     * {@code dependency} among what it would load: the indexes are right for what the image holds.
     */
    private void showDepends(InitramfsImage image, String under, String rel, String module, String dependency) throws Exception {
        Path root = Files.createTempDirectory(tmp, "root-" + module);
        for (CpioEntry e : image.entries()) {
            if (e.isRegular() && e.path().startsWith(under + "/lib/modules/")) {
                Path f = root.resolve(e.path());
                Files.createDirectories(f.getParent());
                Files.write(f, e.data());
            }
        }
        ExternalTool.Result r = ExternalTool.run(List.of("modprobe", "-d", root.resolve(under).toString(), "-S", rel,
                "--show-depends", module));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains(dependency), dependency + " in\n" + r.output());
    }

    /** Compares the changes with a golden file (the kernel release written as RELEASE). */
    private void golden(String name, VirtioInitramfs.Result r) throws Exception {
        String actual = ("summary: " + r.summary() + "\nchanges:\n  " + String.join("\n  ", r.changes()) + "\n")
                .replace(release, "RELEASE");
        Path expected = EXPECTED.resolve(name);
        if (!Files.exists(expected) || Boolean.getBoolean("xen2kvm.updateGolden")) {
            Files.createDirectories(expected.getParent());
            Files.writeString(expected, actual);
        }
        assertEquals(orderFree(Files.readString(expected)), orderFree(actual));
    }

    /**
     * The golden text with the modules' order taken out: which of two modules needs the other
     * changes between kernel builds (virtio and virtio_ring swapped between Debian's 6.1.0-53
     * and 6.1.0-57), and the test takes whatever cloud kernel apt serves. The order itself is
     * checked against modprobe (--show-depends) on the rebuilt image.
     */
    private static String orderFree(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("added modules ([^;\n]*)").matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, "added modules " + java.util.Arrays.stream(m.group(1).split(", ")).sorted()
                    .collect(java.util.stream.Collectors.joining(", ")));
        }
        m.appendTail(sb);
        return sb.toString().lines().sorted().collect(java.util.stream.Collectors.joining("\n"));
    }
}
