package org.xen2kvm.fs.ext;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.FileType;

/** Every change is checked by e2fsck -fn and read back with debugfs, the real tools. */
class ExtFileSystemWriteTest {
    @TempDir
    static Path work;
    static Path src;
    static Path bigSrc;

    @BeforeAll
    static void buildSource() throws IOException {
        ExtImages.requireTools();
        src = SourceTree.build(work.resolve("src"), false, false);
        bigSrc = SourceTree.build(work.resolve("bigsrc"), true, false);
    }

    static List<ExtImages.Variant> variants() {
        return ExtImages.ALL;
    }

    private static String longTarget() {
        return "/" + "x".repeat(100) + "/" + "y".repeat(100);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void createOverwriteDeleteMkdirSymlinkChmod(ExtImages.Variant v) throws Exception {
        Path img = ExtImages.mkfs(v, work, src);
        byte[] newBin = SourceTree.pattern(200 * 1024 + 17, 42);
        byte[] bigNew = SourceTree.pattern(2 * 1024 * 1024 + 3, 43);
        byte[] smaller = "now small\n".getBytes(StandardCharsets.UTF_8);
        String fstab = "UUID=1234 / ext4 defaults 0 1\n";
        long freeBefore;
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            freeBefore = fs.info().freeBlocks();
            fs.writeText("/etc/fstab", fstab);
            fs.writeFile("/new.bin", newBin, 0640, 5, 6);
            fs.writeFile("/big-new.bin", bigNew, 0600, 0, 0);
            fs.writeFile("/large.bin", smaller, 0777, 9, 9);
            fs.writeFile("/empty-new", new byte[0], 0644, 0, 0);
            fs.mkdir("/newdir", 0750, 7, 8);
            fs.mkdirs("/newdir/sub/subsub");
            fs.writeText("/newdir/sub/subsub/leaf.txt", "leaf\n");
            fs.symlink("/newdir/fast", "sub/subsub/leaf.txt");
            fs.symlink("/newdir/slow", longTarget());
            fs.chmod("/hello.txt", 0600);
            fs.chown("/hello.txt", 33, 44);
            fs.setTimes("/new.bin", 1_000_000_000L, 1_234_567_890L);
            fs.delete("/medium.bin");
            fs.delete("/fragmented.bin");
            fs.delete("/emptydir");
            fs.delete("/slow-link");
            fs.delete("/dangling");
            // Many entries make the directory grow by whole blocks.
            for (int i = 0; i < 300; i++) {
                fs.writeText("/newdir/entry-with-a-rather-long-name-" + i, "n" + i);
            }
            for (int i = 0; i < 300; i += 3) {
                fs.delete("/newdir/entry-with-a-rather-long-name-" + i);
            }
            fs.writeText("/fast-link", "through the link\n");
            FileSystemException notEmpty = assertThrows(FileSystemException.class, () -> fs.delete("/newdir/sub"));
            assertTrue(notEmpty.getMessage().contains("directory not empty"), notEmpty.getMessage());
            assertThrows(FileSystemException.class, () -> fs.mkdir("/newdir", 0755, 0, 0));
            assertThrows(FileSystemException.class, () -> fs.mkdir("/missing/child", 0755, 0, 0));
        }
        ExtImages.assertFsckClean(img);
        assertArrayEquals("through the link\n".getBytes(StandardCharsets.UTF_8), ExtImages.debugfsCat(img, "/etc/fstab"));
        assertArrayEquals(newBin, ExtImages.debugfsCat(img, "/new.bin"));
        assertArrayEquals(bigNew, ExtImages.debugfsCat(img, "/big-new.bin"));
        assertArrayEquals(smaller, ExtImages.debugfsCat(img, "/large.bin"));
        assertArrayEquals(new byte[0], ExtImages.debugfsCat(img, "/empty-new"));
        assertArrayEquals("leaf\n".getBytes(StandardCharsets.UTF_8), ExtImages.debugfsCat(img, "/newdir/sub/subsub/leaf.txt"));
        assertArrayEquals("n299".getBytes(StandardCharsets.UTF_8), ExtImages.debugfsCat(img, "/newdir/entry-with-a-rather-long-name-299"));
        String newBinStat = ExtImages.debugfs(img, "stat /new.bin");
        assertTrue(newBinStat.contains("Mode:  0640") && newBinStat.contains("User:     5   Group:     6"), newBinStat);
        assertTrue(newBinStat.contains("mtime: 0x499602d2") && newBinStat.contains("atime: 0x3b9aca00"), newBinStat);
        assertEquals("through the link\n", ExtImages.debugfs(img, "cat /etc/fstab"));
        String dirStat = ExtImages.debugfs(img, "stat /newdir");
        assertTrue(dirStat.contains("Type: directory") && dirStat.contains("Mode:  0750") && dirStat.contains("Links: 3"), dirStat);
        String hello = ExtImages.debugfs(img, "stat /hello.txt");
        assertTrue(hello.contains("Mode:  0600") && hello.contains("User:    33   Group:    44"), hello);
        String large = ExtImages.debugfs(img, "stat /large.bin");
        assertTrue(large.contains("Mode:  0644"), "an overwritten file keeps its mode: " + large);
        assertTrue(ExtImages.debugfs(img, "stat /newdir/fast").contains("Fast link dest: \"sub/subsub/leaf.txt\""));
        assertArrayEquals(longTarget().getBytes(StandardCharsets.UTF_8), ExtImages.debugfsCat(img, "/newdir/slow"));
        assertTrue(ExtImages.debugfs(img, "stat /medium.bin").contains("File not found"));
        assertTrue(ExtImages.debugfs(img, "stat /emptydir").contains("File not found"));
        String rootStat = ExtImages.debugfs(img, "stat /");
        assertTrue(rootStat.contains("Links: 6"), "root links: 2 + lost+found, etc, a, newdir (emptydir gone): " + rootStat);

        try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
            assertEquals(longTarget(), fs.readlink("/newdir/slow"));
            FileInfo info = fs.lstat("/newdir/slow").orElseThrow();
            assertEquals(FileType.SYMLINK, info.type());
            assertEquals(200, fs.list("/newdir").stream().filter(n -> n.startsWith("entry-")).count());
            assertEquals("leaf\n", fs.readText("/newdir/fast"));
            String dumpe2fs = ExtImages.run("dumpe2fs", "-h", img.toString()).out();
            assertTrue(dumpe2fs.contains("Free blocks:              " + fs.info().freeBlocks() + "\n"), dumpe2fs);
            assertTrue(fs.info().freeBlocks() != freeBefore);
            assertFalse(fs.exists("/fragmented.bin"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void deletingEverythingReturnsAllSpace(ExtImages.Variant v) throws Exception {
        Path img = ExtImages.mkfs(v, work, null);
        long freeBlocks;
        long freeInodes;
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
            freeBlocks = fs.info().freeBlocks();
            freeInodes = fs.info().freeInodes();
        }
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            fs.mkdir("/d", 0755, 0, 0);
            fs.writeFile("/d/f", SourceTree.pattern(5 * 1024 * 1024, 7), 0644, 0, 0);
            fs.symlink("/d/l", longTarget());
            fs.delete("/d/f");
            fs.delete("/d/l");
            fs.delete("/d");
            assertEquals(freeBlocks, fs.info().freeBlocks());
            assertEquals(freeInodes, fs.info().freeInodes());
        }
        ExtImages.assertFsckClean(img);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("htreeVariants")
    void insertsIntoAndDeletesFromHashedDirectory(ExtImages.Variant v) throws Exception {
        Path img = ExtImages.mkfs(v, work, bigSrc);
        exerciseHashedDirectory(img);
    }

    /** Byte-signedness and algorithm of the hash come from the superblock: try unsigned TEA too. */
    @Test
    void hashedDirectoryWithUnsignedTeaHash() throws Exception {
        Path img = ExtImages.mkfs(new ExtImages.Variant("ext4-1k-tea", "ext4", 48, "-b", "1024"), work, bigSrc);
        ExtImages.Result r = ExtImages.run("debugfs", "-w", "-R", "ssv def_hash_version tea", img.toString());
        assertEquals(0, r.exit(), r.out());
        r = ExtImages.run("debugfs", "-w", "-R", "ssv flags 2", img.toString());
        assertEquals(0, r.exit(), r.out());
        exerciseHashedDirectory(img);
    }

    private static String bigName(int i) {
        return "file-with-a-longish-name-" + i;
    }

    private void exerciseHashedDirectory(Path img) throws Exception {
        ExtImages.indexDirectories(img);
        assertTrue(ExtImages.debugfs(img, "htree /bigdir").contains("Indirect levels"), "mkfs + e2fsck -D made no index");
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            fs.delete("/bigdir/" + bigName(17));
            fs.delete("/bigdir/" + bigName(9999));
        }
        ExtImages.assertFsckClean(img);
        assertTrue(ExtImages.debugfs(img, "htree /bigdir").contains("Indirect levels"), "deleting keeps the index");
        // Room in every leaf: new names go where their hash says and the index stays.
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            for (int i = 0; i < SourceTree.BIG_DIR_ENTRIES; i += 5) {
                if (i != 0) {
                    fs.delete("/bigdir/" + bigName(i));
                }
            }
            for (int i = 0; i < 300; i++) {
                fs.writeText("/bigdir/added-" + i, "added " + i + "\n");
            }
        }
        ExtImages.assertFsckClean(img);
        assertTrue(ExtImages.debugfs(img, "htree /bigdir").contains("Indirect levels"), "inserting with room keeps the index");
        assertArrayEquals("added 299\n".getBytes(StandardCharsets.UTF_8), ExtImages.debugfsCat(img, "/bigdir/added-299"));
        // Long names soon overflow some leaf: the index is dropped and all stays consistent.
        int expected;
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            for (int i = 0; i < 300; i++) {
                fs.writeText("/bigdir/" + "L".repeat(200) + i, "x");
            }
            expected = fs.list("/bigdir").size();
        }
        ExtImages.assertFsckClean(img);
        assertTrue(ExtImages.debugfs(img, "htree /bigdir").contains("Not a hash-indexed directory"), "no leaf overflowed");
        assertEquals(SourceTree.BIG_DIR_ENTRIES - 2 - (SourceTree.BIG_DIR_ENTRIES / 5 - 1) + 600, expected);
        assertTrue(ExtImages.debugfs(img, "stat /bigdir/" + bigName(9999)).contains("File not found"));
        String links = ExtImages.debugfs(img, "stat /bigdir/" + bigName(0));
        assertTrue(links.contains("Links: " + (SourceTree.BIG_DIR_ENTRIES - 2 - (SourceTree.BIG_DIR_ENTRIES / 5 - 1))), links);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fragmentVariants")
    void fragmentedFreeSpaceGivesIndexedMappings(ExtImages.Variant v) throws Exception {
        Path img = ExtImages.mkfs(new ExtImages.Variant(v.name() + "-16m", v.type(), 16, v.options()), work, null);
        int bs;
        byte[] big;
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            bs = fs.info().blockSize();
            // Fill the filesystem with 8-block files, then free every other one: no free run
            // is longer than 8 blocks, so a large file gets one extent per hole.
            int n = 0;
            try {
                for (; ; n++) {
                    if (n % 200 == 0) {
                        fs.mkdir("/frag" + n / 200, 0755, 0, 0);
                    }
                    fs.writeFile("/frag" + n / 200 + "/f" + n, SourceTree.pattern(8 * bs, n), 0644, 0, 0);
                }
            } catch (FileSystemException full) {
                assertTrue(full.getMessage().contains("no space"), full.getMessage());
            }
            for (int i = 0; i < n; i += 2) {
                fs.delete("/frag" + i / 200 + "/f" + i);
            }
            assertTrue(n > 100, "only " + n + " files fit");
            big = SourceTree.pattern((int) (fs.info().freeBlocks() * 3 / 4) * bs, 99);
            fs.writeFile("/big", big, 0644, 0, 0);
        }
        ExtImages.assertFsckClean(img);
        assertArrayEquals(big, ExtImages.debugfsCat(img, "/big"));
        if (v.type().equals("ext4") && !v.name().contains("noextent")) {
            String ex = ExtImages.debugfs(img, "ex /big");
            assertTrue(ex.matches("(?s).* 1/ [12] .*"), "expected an index level:\n" + ex);
        } else {
            assertTrue(ExtImages.debugfs(img, "stat /big").contains("(DIND)"), "expected a double indirect block");
        }
        byte[] replaced = SourceTree.pattern(bs * 50, 98);
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            fs.writeFile("/big", replaced, 0644, 0, 0);
            fs.delete("/frag0/f1");
        }
        ExtImages.assertFsckClean(img);
        assertArrayEquals(replaced, ExtImages.debugfsCat(img, "/big"));
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            fs.delete("/big");
        }
        ExtImages.assertFsckClean(img);
    }

    static List<ExtImages.Variant> fragmentVariants() {
        // Filling the filesystem also initialises every BLOCK_UNINIT / INODE_UNINIT group.
        return List.of(ExtImages.EXT4_4K, ExtImages.EXT4_1K, ExtImages.EXT4_32BIT, ExtImages.EXT4_NOEXTENT, ExtImages.EXT2_1K,
                ExtImages.EXT4_META_BG, ExtImages.EXT4_NOCSUM, ExtImages.EXT4_LAZY);
    }

    @Test
    void tripleIndirectBlocksOnExt2() throws Exception {
        ExtImages.Variant v = new ExtImages.Variant("ext2-1k-96m", "ext2", 96, "-b", "1024");
        Path img = ExtImages.mkfs(v, work, null);
        byte[] huge = SourceTree.pattern(66 * 1024 * 1024 + 11, 66);
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            fs.writeFile("/huge", huge, 0644, 0, 0);
        }
        ExtImages.assertFsckClean(img);
        assertTrue(ExtImages.debugfs(img, "stat /huge").contains("(TIND)"));
        assertArrayEquals(huge, ExtImages.debugfsCat(img, "/huge"));
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            assertArrayEquals(huge, fs.readFile("/huge", Integer.MAX_VALUE - 8));
            fs.delete("/huge");
        }
        ExtImages.assertFsckClean(img);
    }

    static List<ExtImages.Variant> htreeVariants() {
        return List.of(ExtImages.EXT4_4K, ExtImages.EXT4_1K, ExtImages.EXT4_NOCSUM, ExtImages.EXT3);
    }

    @Test
    void readOnlyRefusesWrites() throws Exception {
        Path img = ExtImages.mkfs(ExtImages.EXT4_4K, work, null);
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> fs.writeText("/x", "y"));
            assertTrue(e.getMessage().endsWith("filesystem is opened read-only"), e.getMessage());
        }
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img)) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> ExtFileSystem.open(dev, true));
            assertTrue(e.getMessage().contains("read-only device"), e.getMessage());
        }
    }

    @Test
    void writesThroughAnInMemoryDevice() throws Exception {
        Path img = ExtImages.mkfs(ExtImages.EXT4_1K, work, src);
        org.xen2kvm.image.ByteArrayBlockDevice mem = new org.xen2kvm.image.ByteArrayBlockDevice(Files.readAllBytes(img), "mem");
        try (ExtFileSystem fs = ExtFileSystem.open(mem, true)) {
            fs.writeText("/etc/hostname", "kvm-guest\n");
        }
        Path out = work.resolve("mem.img");
        Files.write(out, mem.data());
        ExtImages.assertFsckClean(out);
        assertArrayEquals("kvm-guest\n".getBytes(StandardCharsets.UTF_8), ExtImages.debugfsCat(out, "/etc/hostname"));
    }
}
