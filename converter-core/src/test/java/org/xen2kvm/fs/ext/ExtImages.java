package org.xen2kvm.fs.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.xen2kvm.testutil.ExternalTool;

/** Builds ext images with the real e2fsprogs and checks results with e2fsck and debugfs. */
final class ExtImages {
    /** One mkfs configuration under test. */
    record Variant(String name, String type, int sizeMiB, String... options) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Variant EXT4_4K = new Variant("ext4-4k", "ext4", 48, "-b", "4096");
    static final Variant EXT4_1K = new Variant("ext4-1k", "ext4", 48, "-b", "1024");
    static final Variant EXT4_NOCSUM = new Variant("ext4-nocsum-uninit", "ext4", 48, "-b", "4096", "-O", "^metadata_csum,uninit_bg");
    static final Variant EXT4_NOCSUM_PLAIN = new Variant("ext4-nocsum-1k", "ext4", 48, "-b", "1024", "-O", "^metadata_csum,^uninit_bg");
    static final Variant EXT4_32BIT = new Variant("ext4-32bit", "ext4", 48, "-b", "4096", "-O", "^64bit");
    static final Variant EXT4_NOEXTENT = new Variant("ext4-noextent", "ext4", 48, "-b", "1024", "-O", "^extent,^64bit");
    static final Variant EXT4_LAZY = new Variant("ext4-lazy", "ext4", 64, "-b", "1024", "-E", "lazy_itable_init=1");
    static final Variant EXT4_META_BG = new Variant("ext4-meta-bg", "ext4", 48, "-b", "1024", "-O", "meta_bg,^resize_inode");
    /** The checksum seed is stored; the UUID is changed after mkfs so that it no longer derives from it. */
    static final Variant EXT4_CSUM_SEED = new Variant("ext4-csum-seed", "ext4", 48, "-b", "4096", "-O", "metadata_csum_seed");
    static final Variant EXT3 = new Variant("ext3", "ext3", 48, "-b", "1024");
    static final Variant EXT2_1K = new Variant("ext2-1k", "ext2", 48, "-b", "1024");
    /** Oldest layout: revision 0 superblock, 128-byte inodes, no features, no file types in entries. */
    static final Variant EXT2_REV0 = new Variant("ext2-rev0", "ext2", 32, "-b", "1024", "-r", "0");
    static final Variant EXT2_4K = new Variant("ext2-4k", "ext2", 48, "-b", "4096");

    /** Small files and directories stored inside the inode; read-only support. */
    static final Variant EXT4_INLINE = new Variant("ext4-inline", "ext4", 48, "-b", "4096", "-O", "inline_data");

    static final List<Variant> ALL = List.of(EXT4_4K, EXT4_1K, EXT4_NOCSUM, EXT4_NOCSUM_PLAIN, EXT4_32BIT, EXT4_NOEXTENT,
            EXT4_LAZY, EXT4_META_BG, EXT4_CSUM_SEED, EXT3, EXT2_1K, EXT2_4K, EXT2_REV0);

    private ExtImages() {
    }

    /** Tools are required in CI; elsewhere a missing e2fsprogs skips. */
    static void requireTools() {
        ExternalTool.require("mkfs.ext4", "e2fsck", "debugfs");
    }

    record Result(int exit, String out) {
    }

    static Result run(String... cmd) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(Arrays.asList(cmd));
        ExternalTool.require(c.get(0));
        c.set(0, ExternalTool.locate(c.get(0)).orElseThrow().toString());
        ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timeout: " + c);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Path mkfs(Variant v, Path dir, Path src) throws IOException, InterruptedException {
        Path img = dir.resolve(v.name() + ".img");
        List<String> cmd = new ArrayList<>(List.of("mkfs." + v.type(), "-F", "-q", "-E", "root_owner=0:0"));
        // Allow an explicit -E to replace the default one.
        for (int i = 0; i < v.options().length; i++) {
            if (v.options()[i].equals("-E")) {
                cmd.set(4, "root_owner=0:0," + v.options()[i + 1]);
                i++;
            } else {
                cmd.add(v.options()[i]);
            }
        }
        if (src != null) {
            cmd.add("-d");
            cmd.add(src.toString());
        }
        cmd.add(img.toString());
        cmd.add(v.sizeMiB() + "M");
        Result r = run(cmd.toArray(String[]::new));
        assertEquals(0, r.exit(), "mkfs failed: " + cmd + "\n" + r.out());
        if (v.name().startsWith(EXT4_CSUM_SEED.name())) {
            Result u = run("tune2fs", "-U", "6b3f1a52-0c4d-4e5f-9a8b-7c6d5e4f3a2b", img.toString());
            assertEquals(0, u.exit(), u.out());
        }
        return img;
    }

    /** Rebuilds large directories as hashed (htree) ones, as mkfs -d leaves them linear. */
    static void indexDirectories(Path img) throws IOException, InterruptedException {
        Result r = run("e2fsck", "-fyD", img.toString());
        if (r.exit() > 1) {
            fail("e2fsck -fyD " + img.getFileName() + " exited " + r.exit() + ":\n" + r.out());
        }
    }

    /** e2fsck -fn must exit 0; the output is returned for the failure message. */
    static void assertFsckClean(Path img) throws IOException, InterruptedException {
        Result r = run("e2fsck", "-fn", img.toString());
        if (r.exit() != 0) {
            fail("e2fsck -fn " + img.getFileName() + " exited " + r.exit() + ":\n" + r.out());
        }
    }

    static String debugfs(Path img, String request) throws IOException, InterruptedException {
        Result r = run("debugfs", "-R", request, img.toString());
        return r.out().replaceFirst("^debugfs [^\\n]*\\n", "");
    }

    static byte[] debugfsCat(Path img, String path) throws IOException, InterruptedException {
        Path out = Files.createTempFile("dump", ".bin");
        try {
            Result r = run("debugfs", "-R", "dump " + path + " " + out, img.toString());
            if (!Files.exists(out) || r.out().contains("File not found")) {
                fail("debugfs could not dump " + path + ": " + r.out());
            }
            return Files.readAllBytes(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
