package org.xen2kvm.fs.ext;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;

/** The directory tree handed to {@code mkfs -d}: every kind of file the reader must handle. */
final class SourceTree {
    static final int BIG_DIR_ENTRIES = 10_000;

    private SourceTree() {
    }

    static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Path build(Path root, boolean bigDir, boolean farSparse) throws IOException {
        return build(root, bigDir ? BIG_DIR_ENTRIES : 0, farSparse);
    }

    /** As above with {@code bigEntries} names in /bigdir (none when 0). */
    static Path build(Path root, int bigEntries, boolean farSparse) throws IOException {
        boolean bigDir = bigEntries > 0;
        Files.createDirectories(root);
        Files.writeString(root.resolve("hello.txt"), "hello, ext\n");
        Files.write(root.resolve("empty"), new byte[0]);
        Files.write(root.resolve("one-block"), pattern(4096, 1));
        Files.write(root.resolve("thirteen-blocks-1k"), pattern(13 * 1024 + 7, 2));
        Files.write(root.resolve("medium.bin"), pattern(300 * 1024 + 123, 3)); // double indirect with 1 KiB blocks
        Files.write(root.resolve("large.bin"), pattern(3 * 1024 * 1024 + 5, 4));
        Path etc = Files.createDirectories(root.resolve("etc/default"));
        Files.writeString(root.resolve("etc/fstab"), "/dev/xvda1 / ext4 defaults 0 1\n");
        Files.writeString(etc.resolve("grub"), "GRUB_CMDLINE_LINUX=\"console=hvc0\"\n");
        Path secret = root.resolve("etc/shadow");
        Files.writeString(secret, "root:*:19000:0:99999:7:::\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r-----"));
        Path suid = root.resolve("suid-tool");
        Files.write(suid, pattern(100, 5));
        Files.setAttribute(suid, "unix:mode", 04755);
        Files.setAttribute(root.resolve("etc/fstab"), "unix:uid", 1000);
        Files.setAttribute(root.resolve("etc/fstab"), "unix:gid", 1001);
        // Every other 4 KiB block is a hole: one extent per data block, so the extent tree
        // needs index levels; with block maps it exercises holes in indirect blocks.
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("fragmented.bin").toFile(), "rw")) {
            for (int i = 0; i < 300; i++) {
                f.seek(i * 8192L);
                f.write(pattern(4096, 100 + i));
            }
        }
        if (farSparse) {
            // Data past 64 MiB needs the triple indirect block with 1 KiB blocks.
            try (RandomAccessFile f = new RandomAccessFile(root.resolve("far-sparse.bin").toFile(), "rw")) {
                f.seek(70L * 1024 * 1024);
                f.write("tail".getBytes(StandardCharsets.US_ASCII));
                f.seek(10);
                f.write("head".getBytes(StandardCharsets.US_ASCII));
            }
        }
        Files.createSymbolicLink(root.resolve("fast-link"), Path.of("etc/fstab"));
        Files.createSymbolicLink(root.resolve("slow-link"), Path.of("/" + "d".repeat(50) + "/" + "e".repeat(60) + "/target"));
        Files.createSymbolicLink(root.resolve("dir-link"), Path.of("/etc/default"));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("no/such/file"));
        Files.createDirectories(root.resolve("a/b/c/d"));
        Files.writeString(root.resolve("a/b/c/d/deep.txt"), "deep\n");
        Files.createDirectories(root.resolve("emptydir"));
        if (bigDir) {
            // Hard links keep 10,000 names down to one inode, so small images suffice.
            Path big = Files.createDirectories(root.resolve("bigdir"));
            Path first = big.resolve("file-with-a-longish-name-0");
            Files.writeString(first, "shared\n");
            for (int i = 1; i < bigEntries; i++) {
                Files.createLink(big.resolve("file-with-a-longish-name-" + i), first);
            }
        }
        return root;
    }
}
