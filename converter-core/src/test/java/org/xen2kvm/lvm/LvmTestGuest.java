package org.xen2kvm.lvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.xen2kvm.testutil.ExternalTool;

/**
 * A small Xen guest on LVM2 made with the real tools: one disk whose partition 1 is the PV of
 * {@code VolGroup00}, {@code LogVol00} (ext4 made from {@code testdata/examples/demo-root}, the
 * root in fstab) and optionally what xen2kvm refuses, added the way an administrator's lvm2 would
 * have it: a thin pool written into the VG's metadata by {@code vgcfgrestore --force} (lvcreate
 * cannot make one without device-mapper, vgcfgrestore can), checked with {@code lvs}.
 *
 * @param config the xl config naming the disk
 * @param disk   the disk image
 */
public record LvmTestGuest(Path config, Path disk) {
    private static final long PART_START = 1 << 20;
    private static final long EXTENT = 4L << 20;

    /** What else the VG holds. */
    public enum Extra {
        NONE, THIN_POOL
    }

    public static void requireTools() {
        LvmOracle.requireTools();
        ExternalTool.require("sfdisk", "mkfs.ext4", "vgcfgbackup", "vgcfgrestore");
    }

    /** Builds the guest {@code name} in {@code dir}. */
    public static LvmTestGuest build(Path dir, String name, Extra extra) throws Exception {
        requireTools();
        Files.createDirectories(dir);
        Path tree = dir.resolve(name + "-tree");
        copyTree(Path.of("..", "testdata", "examples", "demo-root").toAbsolutePath().normalize(), tree);
        Files.writeString(tree.resolve("etc/fstab"), "/dev/VolGroup00/LogVol00 / ext4 errors=remount-ro 0 1\n");
        Path disk = dir.resolve(name + ".img");
        long rootOffset;
        long rootSize;
        try (LvmOracle o = new LvmOracle()) {
            LvmOracle.ok(List.of("truncate", "-s", "96M", disk.toString()));
            ExternalTool.Result sf = ExternalTool.run(List.of("sh", "-c", "echo 'start=2048, type=8e' | sfdisk -q " + disk));
            if (sf.exitCode() != 0) {
                throw new IllegalStateException("sfdisk: " + sf.output());
            }
            String loop = LvmOracle.ok(List.of("losetup", "-f", "--show", "-o", Long.toString(PART_START),
                    disk.toString())).strip();
            o.adopt(loop);
            o.lvm("pvcreate", loop);
            o.lvm("vgcreate", "-s", "4M", "VolGroup00", loop);
            o.lvcreate("-L", "48M", "-n", "LogVol00", "VolGroup00");
            if (extra == Extra.THIN_POOL) {
                addThinPool(o, dir.resolve(name + "-meta.txt"), "VolGroup00", 12);
                List<Map<String, String>> lvs = o.report("lvs", "lv", "lv_name,segtype");
                if (lvs.stream().noneMatch(r -> r.get("lv_name").equals("pool") && r.get("segtype").equals("thin-pool"))) {
                    throw new IllegalStateException("lvs shows no thin pool after vgcfgrestore: " + lvs);
                }
            }
            long peStart = Long.parseLong(o.report("pvs", "pv", "pe_start").get(0).get("pe_start"));
            Map<String, String> root = o.report("lvs", "lv", "lv_name,lv_size,seg_pe_ranges").stream()
                    .filter(r -> r.get("lv_name").equals("LogVol00")).findFirst().orElseThrow();
            long pe = Long.parseLong(root.get("seg_pe_ranges").replaceAll(".*:(\\d+)-\\d+", "$1"));
            rootOffset = PART_START + peStart + pe * EXTENT;
            rootSize = Long.parseLong(root.get("lv_size"));
        }
        ExternalTool.Result mkfs = ExternalTool.run(List.of("mkfs.ext4", "-q", "-F", "-L", "lvroot", "-d", tree.toString(),
                "-E", "offset=" + rootOffset, disk.toString(), (rootSize / 1024) + "k"));
        if (mkfs.exitCode() != 0) {
            throw new IllegalStateException("mkfs.ext4: " + mkfs.output());
        }
        Path cfg = dir.resolve(name + ".cfg");
        Files.writeString(cfg, "name = '" + name + "'\nmemory = 256\nkernel = '/boot/vmlinuz-6.1.0-28-amd64'\n"
                + "ramdisk = '/boot/initrd.img-6.1.0-28-amd64'\nroot = '/dev/VolGroup00/LogVol00 ro'\n"
                + "extra = 'console=hvc0'\ndisk = [ 'file:" + disk + ",xvda,w' ]\n");
        return new LvmTestGuest(cfg, disk);
    }

    /**
     * Adds {@code pool} (thin-pool, 8 extents of data and 2 of metadata from PE {@code firstFreePe}
     * of {@code pv0}) to the VG's metadata: vgcfgbackup, the sections as lvm2 writes them for a
     * thin pool, vgcfgrestore --force.
     */
    static void addThinPool(LvmOracle o, Path file, String vg, long firstFreePe) throws Exception {
        o.lvm("vgcfgbackup", "-f", file.toString(), vg);
        String text = Files.readString(file);
        int end = text.lastIndexOf("\t}\n\n}");
        if (end < 0) {
            throw new IllegalStateException("unexpected vgcfgbackup layout in " + file);
        }
        String pool = "\n\t\tpool {\n\t\t\tid = \"Tp0000-0000-0000-0000-0000-0000-000001\"\n"
                + "\t\t\tstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\n\t\t\tflags = []\n\t\t\tsegment_count = 1\n\n"
                + "\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n\t\t\t\textent_count = 8\n\t\t\t\ttype = \"thin-pool\"\n"
                + "\t\t\t\tmetadata = \"pool_tmeta\"\n\t\t\t\tpool = \"pool_tdata\"\n\t\t\t\ttransaction_id = 0\n"
                + "\t\t\t\tchunk_size = 128\n\t\t\t\tdiscards = \"passdown\"\n\t\t\t\tzero_new_blocks = 1\n\t\t\t}\n\t\t}\n"
                + hiddenLinear("pool_tmeta", "Tp0000-0000-0000-0000-0000-0000-000002", 2, firstFreePe)
                + hiddenLinear("pool_tdata", "Tp0000-0000-0000-0000-0000-0000-000003", 8, firstFreePe + 2);
        Files.writeString(file, text.substring(0, end) + pool + text.substring(end));
        o.lvm("vgcfgrestore", "--force", "-f", file.toString(), vg);
    }

    private static String hiddenLinear(String name, String id, long extents, long pe) {
        return "\n\t\t" + name + " {\n\t\t\tid = \"" + id + "\"\n\t\t\tstatus = [\"READ\", \"WRITE\"]\n\t\t\tflags = []\n"
                + "\t\t\tsegment_count = 1\n\n\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n\t\t\t\textent_count = " + extents
                + "\n\t\t\t\ttype = \"striped\"\n\t\t\t\tstripe_count = 1\n\t\t\t\tstripes = [\n\t\t\t\t\t\"pv0\", " + pe
                + "\n\t\t\t\t]\n\t\t\t}\n\t\t}\n";
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(t, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
