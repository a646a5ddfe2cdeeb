package org.xen2kvm.fs.ext;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import org.xen2kvm.edit.OverlayFileSystem;
import org.xen2kvm.image.ByteArrayBlockDevice;
import org.xen2kvm.image.CowOverlay;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz targets for the ext2/3/4 reader and writer: superblock, group descriptors,
 * inodes, extent trees, (hashed) directories, symlinks and journal replay. The fuzz input
 * overlays the start of a small valid ext4 template (testdata/fuzz-seeds.sh), then the tree is
 * walked, files read, and a few edits made through the in-memory overlay (as --dry-run does)
 * and through a writable open on a copy-on-write device. A damaged filesystem may only be
 * refused with an {@link IOException} ({@link org.xen2kvm.fs.FileSystemException}).
 */
class ExtImageFuzzTest {
    private static final byte[] WALK_TEMPLATE = template("ExtImageFuzzTest-walk.img.gz");
    private static final byte[] JOURNAL_TEMPLATE = template("ExtImageFuzzTest-journal.img.gz");
    /** Bounds per input: a corrupt tree may be deep or wide, and a file claim any size. */
    private static final int MAX_DEPTH = 8;
    private static final int MAX_ENTRIES = 300;
    private static final int MAX_FILE_BYTES = 64 * 1024;

    /** Every metadata block of the template: superblock to the hashed directory and extent blocks. */
    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void walkAndWrite(byte[] data) throws Exception {
        byte[] image = overlay(WALK_TEMPLATE, data);
        Fuzz.expect(() -> exercise(image), IOException.class);
    }

    /** A filesystem flagged needs_recovery: the input overlays its superblock, inode table and journal. */
    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void journal(byte[] data) throws Exception {
        byte[] image = overlay(JOURNAL_TEMPLATE, data);
        Fuzz.expect(() -> exercise(image), IOException.class);
    }

    private static void exercise(byte[] image) throws IOException {
        try (ExtFileSystem fs = ExtFileSystem.open(new ByteArrayBlockDevice(image.clone(), "fuzz.img"), false)) {
            int[] budget = {MAX_ENTRIES};
            walk(fs, "/", 0, budget);
            OverlayFileSystem edits = new OverlayFileSystem(fs);
            edits.writeText("/etc/fstab", "UUID=x / ext4 defaults 0 1\n");
            edits.mkdirs("/new/dir");
            edits.symlink("/new/link", "dir");
            edits.delete("/hello.txt");
            walk(edits, "/", 0, new int[] {MAX_ENTRIES});
        }
        try (ExtFileSystem fs = ExtFileSystem.open(new CowOverlay(new ByteArrayBlockDevice(image, "fuzz.img")), true)) {
            fs.writeText("/etc/fstab", "UUID=y / ext4 defaults 0 1\n");
            fs.writeFile("/big/added", new byte[3000], 0644, 0, 0);
            fs.delete("/big/file-with-a-longish-name-7");
            fs.readFile("/etc/fstab", MAX_FILE_BYTES);
        }
    }

    private static void walk(GuestFileSystem fs, String dir, int depth, int[] budget) throws IOException {
        if (depth > MAX_DEPTH) {
            return;
        }
        for (String name : fs.list(dir)) {
            if (--budget[0] < 0) {
                return;
            }
            String p = (dir.equals("/") ? "" : dir) + "/" + name;
            FileInfo info = fs.lstat(p).orElse(null);
            if (info == null) {
                continue;
            }
            try {
                if (info.type() == FileType.DIRECTORY) {
                    walk(fs, p, depth + 1, budget);
                } else if (info.type() == FileType.SYMLINK) {
                    fs.readlink(p);
                    fs.stat(p);
                } else if (info.type() == FileType.REGULAR) {
                    fs.readFile(p, MAX_FILE_BYTES);
                }
            } catch (org.xen2kvm.fs.FileSystemException perFile) {
                // One damaged file does not end the walk, as in inspection.
            }
        }
    }

    private static byte[] overlay(byte[] template, byte[] data) {
        byte[] image = template.clone();
        System.arraycopy(data, 0, image, 0, Math.min(data.length, image.length));
        return image;
    }

    private static byte[] template(String resource) {
        try (InputStream in = ExtImageFuzzTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource + "; run testdata/fuzz-seeds.sh");
            }
            return new GZIPInputStream(in).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
