package org.xen2kvm.testutil;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A xen-tools style guest like the demo guest of {@code testdata/examples}, whose only kernels
 * cannot boot on KVM: a RHEL5 {@code kernel-xen} (a Xen flavour by its release) and a Debian
 * kernel whose config and module tree have no virtio drivers. Its dom0 kernel is the Xen one
 * and is not on this host. Built with {@code mkfs.ext4 -d} from the demo guest's files, plus a
 * dpkg status for the {@code --install-kernel} checks.
 */
public final class XenOnlyGuest {
    /** The kernels the guest holds, as the refusal names them. */
    public static final String XEN_RELEASE = "2.6.18-398.el5xen";
    public static final String STRIPPED_RELEASE = "6.1.0-18-amd64";

    private XenOnlyGuest() {
    }

    /** Builds the guest in {@code dir} and returns its xl config. */
    public static Path build(Path dir) throws IOException, InterruptedException {
        ExternalTool.require("mkfs.ext4");
        Path root = dir.resolve("root");
        Path demo = examples().resolve("demo-root");
        try (Stream<Path> files = Files.walk(demo)) {
            for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
                Path to = root.resolve(demo.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (!p.getParent().endsWith("boot")) {
                    Files.copy(p, to);
                }
            }
        }
        // One disk: the root filesystem, without the demo guest's swap.
        Files.writeString(root.resolve("etc/fstab"), "proc /proc proc defaults 0 0\n"
                + "/dev/xvda2 / ext4 errors=remount-ro 0 1\n");
        Path boot = root.resolve("boot");
        Files.writeString(boot.resolve("vmlinuz-" + XEN_RELEASE), "placeholder kernel-xen\n");
        Files.writeString(boot.resolve("initrd-" + XEN_RELEASE + ".img"), "placeholder initrd\n");
        Files.writeString(boot.resolve("vmlinuz-" + STRIPPED_RELEASE), "placeholder kernel\n");
        Files.writeString(boot.resolve("initrd.img-" + STRIPPED_RELEASE), "placeholder initrd\n");
        Files.writeString(boot.resolve("config-" + STRIPPED_RELEASE), "CONFIG_64BIT=y\nCONFIG_XEN=y\n"
                + "# CONFIG_VIRTIO_BLK is not set\n# CONFIG_VIRTIO_NET is not set\n# CONFIG_VIRTIO_PCI is not set\n");
        // What --install-kernel checks a package against: dpkg's architecture, kmod, linux-base, initramfs-tools.
        Path dpkg = Files.createDirectories(root.resolve("var/lib/dpkg"));
        try (var status = XenOnlyGuest.class.getResourceAsStream("xenonly-dpkg-status")) {
            Files.write(dpkg.resolve("status"), status.readAllBytes());
        }
        Path mods = root.resolve("lib/modules/" + STRIPPED_RELEASE + "/kernel/drivers/block");
        Files.createDirectories(mods);
        Files.writeString(mods.resolve("xen-blkfront.ko"), "module\n");
        Path disk = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(64L << 20);
        }
        ExternalTool.Result mkfs = ExternalTool.run(List.of("mkfs.ext4", "-q", "-F", "-d", root.toString(), disk.toString()));
        if (mkfs.exitCode() != 0) {
            throw new IOException("mkfs.ext4 failed: " + mkfs.output());
        }
        Path cfg = dir.resolve("xenonly.cfg");
        Files.writeString(cfg, "kernel = '/nonexistent/vmlinuz-" + XEN_RELEASE + "'\n"
                + "ramdisk = '/nonexistent/initrd-" + XEN_RELEASE + ".img'\n"
                + "memory = 256\nname = 'xenonly'\nroot = '/dev/xvda2 ro'\n"
                + "disk = [ 'file:" + disk + ",xvda2,w' ]\n"
                + "vif = [ 'mac=00:16:3e:00:00:0a,bridge=xenbr0' ]\n");
        return cfg;
    }

    /** testdata/examples, from converter-core or converter-cli. */
    private static Path examples() {
        Path here = Path.of("..", "testdata", "examples").toAbsolutePath().normalize();
        return here;
    }
}
