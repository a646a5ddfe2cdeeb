package org.xen2kvm.fs.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.ByteArrayBlockDevice;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.fs.FileSystemException;

/**
 * Damaged images give one clear FileSystemException naming the structure, quickly. Images
 * are made with mkfs -d and then damaged with debugfs or by patching bytes.
 */
class ExtCorruptImageTest {
    static final Duration LIMIT = Duration.ofSeconds(10);

    @TempDir
    static Path work;
    static Path src;
    @TempDir
    Path dir;

    @BeforeAll
    static void buildSource() throws IOException {
        ExtImages.requireTools();
        src = SourceTree.build(work.resolve("src"), false, false);
    }

    private Path image(ExtImages.Variant v) throws Exception {
        return ExtImages.mkfs(v, dir, src);
    }

    /** Runs {@code action} with a time limit and returns the message of the FileSystemException it must throw. */
    private static String failure(Executable action) {
        return assertTimeoutPreemptively(LIMIT, () -> assertThrows(FileSystemException.class, action).getMessage());
    }

    private static String openAndRead(Path img, String path) {
        return failure(() -> {
            try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
                fs.readFile(path, Integer.MAX_VALUE - 8);
            }
        });
    }

    private static void patch(Path img, long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(offset);
            f.write(bytes);
        }
    }

    private static byte[] le16(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8)};
    }

    private static byte[] le32(long v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /** Changes a superblock field and re-seals s_checksum so that only the field is wrong. */
    private static void patchSuperblock(Path img, int field, byte[] value) throws IOException {
        byte[] all = Files.readAllBytes(img);
        System.arraycopy(value, 0, all, Superblock.OFFSET + field, value.length);
        int crc = Crc32c.update(~0, all, Superblock.OFFSET, Superblock.S_CHECKSUM);
        System.arraycopy(le32(crc & 0xFFFFFFFFL), 0, all, Superblock.OFFSET + Superblock.S_CHECKSUM, 4);
        Files.write(img, all);
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + text);
        return Long.parseLong(m.group(1));
    }

    @Test
    void badMagic() throws Exception {
        Path img = image(ExtImages.EXT4_4K);
        patch(img, Superblock.OFFSET + Superblock.S_MAGIC, le16(0x1234));
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img)) {
            assertFalse(ExtFileSystem.probe(dev));
        }
        String msg = openAndRead(img, "/hello.txt");
        assertTrue(msg.contains("superblock field s_magic") && msg.contains("0x1234"), msg);
        assertFalse(ExtFileSystem.probe(new ByteArrayBlockDevice(512)));
    }

    @Test
    void corruptSuperblockChecksum() throws Exception {
        Path img = image(ExtImages.EXT4_4K);
        patch(img, Superblock.OFFSET + Superblock.S_FREE_INODES_COUNT, le32(7));
        String msg = openAndRead(img, "/hello.txt");
        assertTrue(msg.contains("superblock field s_checksum"), msg);
    }

    @Test
    void groupDescriptorOutOfRange() throws Exception {
        for (ExtImages.Variant v : new ExtImages.Variant[] {ExtImages.EXT4_4K, ExtImages.EXT2_1K}) {
            Path img = image(v);
            ExtImages.Result r = ExtImages.run("debugfs", "-w", "-R", "set_bg 0 inode_table 99999999", img.toString());
            assertEquals(0, r.exit(), r.out());
            String msg = openAndRead(img, "/hello.txt");
            assertTrue(msg.contains("group descriptor 0 field bg_inode_table points to block 99999999"), v + ": " + msg);
        }
    }

    @Test
    void hugeInodeSizeInSuperblock() throws Exception {
        Path img = image(ExtImages.EXT4_4K);
        patchSuperblock(img, Superblock.S_INODE_SIZE, le16(0x8000));
        String msg = openAndRead(img, "/hello.txt");
        assertTrue(msg.contains("superblock field s_inode_size") && msg.contains("32768"), msg);
    }

    @Test
    void hugeFileAndDirectorySizesInInodes() throws Exception {
        Path img = image(ExtImages.EXT4_4K);
        ExtImages.run("debugfs", "-w", "-R", "sif /hello.txt size 0x1000000000000000", img.toString());
        ExtImages.run("debugfs", "-w", "-R", "sif /etc size 0x10000000000", img.toString());
        ExtImages.run("debugfs", "-w", "-R", "sif /a extra_isize 0x400", img.toString());
        String msg = openAndRead(img, "/hello.txt");
        assertTrue(msg.contains("/hello.txt is 1152921504606846976 bytes, over the limit"), msg);
        // A huge directory size only costs the blocks really mapped.
        assertTimeoutPreemptively(LIMIT, () -> {
            try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
                assertTrue(fs.list("/etc").contains("fstab"));
            }
        });
        ExtImages.run("debugfs", "-w", "-R", "sif /etc/fstab size 0x8000000000000000", img.toString());
        String negative = openAndRead(img, "/etc/fstab");
        assertTrue(negative.contains("/etc/fstab is 9223372036854775808 bytes, over the limit"), negative);
        ExtImages.run("debugfs", "-w", "-R", "sif /etc/default size 0xF000000000000000", img.toString());
        String dirSize = failure(() -> {
            try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
                fs.list("/etc/default");
            }
        });
        assertTrue(dirSize.contains("field i_size is 17293822569102704640"), dirSize);
        String extra = openAndRead(img, "/a/b/c/d/deep.txt");
        assertTrue(extra.contains("field i_extra_isize is 1024"), extra);
    }

    @Test
    void extentTreeLoop() throws Exception {
        // Without metadata_csum, so the structure check rather than the block checksum fires.
        Path img = image(ExtImages.EXT4_NOCSUM);
        String ex = ExtImages.debugfs(img, "ex /fragmented.bin");
        long leaf = number(ex, "(?m)^\\s*0/\\s*1\\s+1/\\s*1\\s+\\d+\\s*-\\s*\\d+\\s+(\\d+)");
        int bs = 4096;
        // Turn the leaf into an index node (depth 1) whose only entry points at itself.
        byte[] node = new byte[24];
        System.arraycopy(le16(ExtentTree.MAGIC), 0, node, 0, 2);
        System.arraycopy(le16(1), 0, node, 2, 2);
        System.arraycopy(le16(340), 0, node, 4, 2);
        System.arraycopy(le16(1), 0, node, 6, 2);
        System.arraycopy(le32(0), 0, node, 12, 4);
        System.arraycopy(le32(leaf), 0, node, 16, 4);
        patch(img, leaf * bs, node);
        String msg = openAndRead(img, "/fragmented.bin");
        assertTrue(msg.contains("extent tree of inode") && msg.contains("eh_depth is 1: expected 0"), msg);
        // Same loop with a consistent depth: the root claims depth 2 and the node points at itself.
        System.arraycopy(le16(2), 0, node, 6, 2);
        patch(img, leaf * bs, node);
        ExtImages.run("debugfs", "-w", "-R", "sif /fragmented.bin block[1] 0x" + Long.toHexString((2L << 16) | 4), img.toString());
        String loop = openAndRead(img, "/fragmented.bin");
        assertTrue(loop.contains("extent tree of inode"), loop);
    }

    @Test
    void directoryRecLenOverrunsBlock() throws Exception {
        for (ExtImages.Variant v : new ExtImages.Variant[] {ExtImages.EXT4_NOCSUM, ExtImages.EXT2_1K}) {
            Path img = image(v);
            long etcBlock = number(ExtImages.debugfs(img, "bmap /etc 0"), "(\\d+)");
            int bs = v.options()[1].equals("4096") ? 4096 : 1024;
            // The ".." entry at offset 12: its rec_len now runs 100 bytes past the block.
            patch(img, etcBlock * bs + 12 + DirectoryBlock.DE_REC_LEN, le16(bs + 100 - 12));
            String msg = openAndRead(img, "/etc/fstab");
            assertTrue(msg.contains("directory inode") && msg.contains("offset 12 has rec_len " + (bs + 88)) && msg.contains("overruns"), v + ": " + msg);
        }
    }

    @Test
    void unreplayableJournalIsRefused() throws Exception {
        Path img = image(ExtImages.EXT4_4K);
        ExtImages.Result r = ExtImages.run("debugfs", "-w", "-R", "feature needs_recovery", img.toString());
        assertEquals(0, r.exit(), r.out());
        long journalBlock = number(ExtImages.debugfs(img, "bmap <8> 0"), "(\\d+)");
        patch(img, journalBlock * 4096, le32(0x12345678));
        String msg = openAndRead(img, "/hello.txt");
        assertTrue(msg.contains("journal superblock at block " + journalBlock + " has bad magic"), msg);
    }

    @Test
    void unknownFeaturesAreRefusedByName() throws Exception {
        Path img = image(ExtImages.EXT4_4K);
        byte[] sb = Files.readAllBytes(img);
        long incompat = Le.u32(sb, Superblock.OFFSET + Superblock.S_FEATURE_INCOMPAT);
        long ro = Le.u32(sb, Superblock.OFFSET + Superblock.S_FEATURE_RO_COMPAT);
        patchSuperblock(img, Superblock.S_FEATURE_RO_COMPAT, le32(ro | 0x40000000L));
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
            assertEquals("hello, ext\n", fs.readText("/hello.txt"));
        }
        String ronly = failure(() -> {
            try (RawFileDevice dev = RawFileDevice.openWritable(img)) {
                ExtFileSystem.open(dev, true);
            }
        });
        assertTrue(ronly.contains("cannot write a filesystem with features [ro_compat_0x40000000]"), ronly);
        patchSuperblock(img, Superblock.S_FEATURE_INCOMPAT, le32(incompat | 0x80000L | ExtFeatures.INCOMPAT_COMPRESSION));
        String msg = openAndRead(img, "/hello.txt");
        assertTrue(msg.contains("unsupported incompatible ext features [compression, incompat_0x80000]"), msg);
    }

    @Test
    void metadataChecksumsAreVerified() throws Exception {
        Path img = image(ExtImages.EXT4_4K);
        String imap = ExtImages.debugfs(img, "imap /hello.txt");
        long block = number(imap, "located at block (\\d+)");
        Matcher m = Pattern.compile("offset 0x([0-9a-f]+)").matcher(imap);
        assertTrue(m.find(), imap);
        long inodeOffset = block * 4096 + Long.parseLong(m.group(1), 16);
        patch(img, inodeOffset + 0x10, le32(12345)); // i_mtime changed behind the checksum's back
        String msg = openAndRead(img, "/hello.txt");
        assertTrue(msg.matches(".*inode \\d+ field i_checksum does not match.*"), msg);

        Path img2 = image(ExtImages.EXT4_4K);
        long etcBlock = number(ExtImages.debugfs(img2, "bmap /etc 0"), "(\\d+)");
        patch(img2, etcBlock * 4096 + 8, new byte[] {'X'}); // first byte of the name "."
        String dirMsg = openAndRead(img2, "/etc/fstab");
        assertTrue(dirMsg.contains("directory block checksum"), dirMsg);
    }

    @Test
    void truncatedImage() throws Exception {
        Path img = image(ExtImages.EXT4_4K);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(8L << 20);
        }
        String msg = openAndRead(img, "/hello.txt");
        assertTrue(msg.contains("superblock field s_blocks_count") && msg.contains("truncated image"), msg);
    }
}
