package org.xen2kvm.fs.ext;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.FileType;

/** Every file mkfs -d put into each variant reads back exactly as in the source tree. */
class ExtFileSystemReadTest {
    @TempDir
    static Path work;
    /** With the 10,000-entry directory, for the variants that also get it hashed. */
    static Path bigSrc;
    static Path smallSrc;

    @BeforeAll
    static void buildSource() throws IOException {
        ExtImages.requireTools();
        bigSrc = SourceTree.build(work.resolve("big"), true, true);
        smallSrc = SourceTree.build(work.resolve("small"), false, true);
    }

    private static boolean withBigDir(ExtImages.Variant v) {
        return List.of(ExtImages.EXT4_4K, ExtImages.EXT4_1K, ExtImages.EXT4_NOCSUM, ExtImages.EXT3, ExtImages.EXT2_1K).contains(v);
    }

    static List<ExtImages.Variant> variants() {
        List<ExtImages.Variant> all = new ArrayList<>(ExtImages.ALL);
        all.add(ExtImages.EXT4_INLINE);
        return all;
    }

    @Test
    void inlineDataIsReadAndWritesIntoInlineDirectoriesAreRefused() throws Exception {
        Path img = ExtImages.mkfs(ExtImages.EXT4_INLINE, work, smallSrc);
        assertTrue(ExtImages.debugfs(img, "stat /hello.txt").contains("Size of inline data"), "hello.txt is not inline");
        assertTrue(ExtImages.debugfs(img, "stat /a/b").contains("Size of inline data"), "/a/b is not inline");
        try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
            assertEquals("hello, ext\n", fs.readText("/hello.txt"));
            assertEquals(List.of("c"), fs.list("/a/b"));
            FileSystemException e = assertThrows(FileSystemException.class, () -> fs.writeText("/a/b/new", "x"));
            assertTrue(e.getMessage().contains("stores its entries inline (inline_data); changing it is not supported"), e.getMessage());
            FileSystemException f = assertThrows(FileSystemException.class, () -> fs.writeText("/hello.txt", "x"));
            assertTrue(f.getMessage().contains("uses inline data"), f.getMessage());
            // Directories with blocks still take new entries; new files use extents.
            fs.writeText("/new-file", "not inline\n");
        }
        ExtImages.assertFsckClean(img);
        assertArrayEquals("not inline\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), ExtImages.debugfsCat(img, "/new-file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void readsEverythingMkfsWrote(ExtImages.Variant v) throws Exception {
        Path src = withBigDir(v) ? bigSrc : smallSrc;
        Path img = ExtImages.mkfs(v, work, src);
        if (withBigDir(v)) {
            ExtImages.indexDirectories(img);
        }
        ExtImages.assertFsckClean(img);
        assertStructuresPresent(v, img);
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
            assertTrue(ExtFileSystem.probe(dev));
            List<Path> all;
            try (Stream<Path> s = Files.walk(src)) {
                all = s.toList();
            }
            for (Path p : all) {
                String guest = "/" + src.relativize(p).toString().replace('\\', '/');
                if (guest.equals("/") || (guest.startsWith("/bigdir/") && !guest.matches(".*-(0|1|4999|9999)$"))) {
                    continue; // bigdir's names are compared by list(); a few entries in full
                }
                compare(fs, p, guest);
            }
            assertEquals(sortedNames(src), fs.list("/"));
            // Paths through symlinks, relative and absolute, and '..'.
            assertArrayEquals(Files.readAllBytes(src.resolve("etc/fstab")), fs.readFile("/fast-link", 1 << 20));
            assertEquals(withBigDir(v), fs.exists("/bigdir"));
            assertEquals(List.of("grub"), fs.list("/dir-link"));
            assertArrayEquals(Files.readAllBytes(src.resolve("etc/fstab")), fs.readFile("/dir-link/../fstab", 1 << 20));
            assertTrue(fs.stat("/dangling").isEmpty());
            assertTrue(fs.lstat("/dangling").isPresent());
            assertTrue(fs.stat("/no/such").isEmpty());
            assertTrue(fs.stat("/hello.txt/child").isEmpty());
            FileSystemException tooBig = assertThrows(FileSystemException.class, () -> fs.readFile("/large.bin", 1000));
            assertTrue(tooBig.getMessage().contains("over the limit of 1000"), tooBig.getMessage());
            assertFalse(fs.isWritable());
        }
    }

    /** The image really holds the structures this test claims to cover. */
    private static void assertStructuresPresent(ExtImages.Variant v, Path img) throws Exception {
        String features = ExtImages.run("dumpe2fs", "-h", img.toString()).out();
        assertTrue(!withBigDir(v) || ExtImages.debugfs(img, "htree /bigdir").contains("Indirect levels"), v + ": bigdir is not hashed");
        if (v == ExtImages.EXT4_INLINE) {
            assertTrue(ExtImages.debugfs(img, "stat /hello.txt").contains("Size of inline data"), "hello.txt is not inline");
        } else if (features.contains(" extent")) {
            String ex = ExtImages.debugfs(img, "ex /fragmented.bin");
            assertTrue(ex.contains(" 1/ 1 "), v + ": fragmented.bin has no extent index level:\n" + ex);
        } else {
            String st = ExtImages.debugfs(img, "stat /far-sparse.bin");
            assertTrue(v.options()[1].equals("4096") || st.contains("(TIND)"), v + ": far-sparse.bin has no triple indirect block:\n" + st);
            String level = v.options()[1].equals("4096") ? "(IND)" : "(DIND)";
            assertTrue(ExtImages.debugfs(img, "stat /medium.bin").contains(level), v + ": medium.bin has no " + level + " block");
        }
    }

    private static List<String> sortedNames(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.removeIf(n -> n.equals("lost+found"));
        names.add("lost+found");
        names.sort(null);
        return names;
    }

    private static void compare(ExtFileSystem fs, Path p, String guest) throws IOException {
        FileInfo info = fs.lstat(guest).orElseThrow(() -> new AssertionError("missing " + guest));
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        if (Files.isSymbolicLink(p)) {
            assertEquals(FileType.SYMLINK, info.type(), guest);
            assertEquals(Files.readSymbolicLink(p).toString(), fs.readlink(guest), guest);
        } else if (Files.isDirectory(p)) {
            assertEquals(FileType.DIRECTORY, info.type(), guest);
            List<String> names = new ArrayList<>();
            try (Stream<Path> s = Files.list(p)) {
                s.forEach(c -> names.add(c.getFileName().toString()));
            }
            names.sort(null);
            assertEquals(names, fs.list(guest), guest);
        } else {
            assertEquals(FileType.REGULAR, info.type(), guest);
            assertEquals(Files.size(p), info.size(), guest);
            assertArrayEquals(Files.readAllBytes(p), fs.readFile(guest, 100 << 20), guest);
            assertEquals(Files.getLastModifiedTime(p).toMillis() / 1000, info.mtime(), guest);
        }
        assertEquals(mode & 07777, info.mode(), guest + " mode");
        assertEquals(uid, info.uid(), guest + " uid");
        assertEquals(gid, info.gid(), guest + " gid");
    }

    @Test
    void reportsSuperblockInfo() throws Exception {
        Path img = ExtImages.mkfs(ExtImages.EXT4_4K, work, null);
        ExtImages.run("tune2fs", "-L", "rootfs", "-U", "0e1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8", img.toString());
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
            ExtSuperblockInfo info = fs.info();
            assertEquals("0e1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8", info.uuid());
            assertEquals("rootfs", info.label());
            assertEquals(4096, info.blockSize());
            assertEquals(48 * 256, info.blocksCount());
            assertTrue(info.features().containsAll(List.of("has_journal", "extent", "64bit", "metadata_csum", "flex_bg")), info.features().toString());
            String dumpe2fs = ExtImages.run("dumpe2fs", "-h", img.toString()).out();
            assertTrue(dumpe2fs.contains("Free blocks:              " + info.freeBlocks()), dumpe2fs);
            assertTrue(dumpe2fs.contains("Free inodes:              " + info.freeInodes()), dumpe2fs);
            assertTrue(fs.describe().endsWith("(ext4)"), fs.describe());
        }
    }
}
