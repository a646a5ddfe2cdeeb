package org.xen2kvm.fs.ext;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xen2kvm.image.ByteArrayBlockDevice;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * Randomly damaged metadata (fixed seeds): opening and walking the whole tree either works
 * or fails with a FileSystemException, quickly; nothing else may escape.
 */
class ExtFuzzTest {
    static final int ROUNDS = 250;

    @TempDir
    static Path work;
    static Path src;

    @BeforeAll
    static void buildSource() throws IOException {
        ExtImages.requireTools();
        // 400 names: enough for a hashed directory after e2fsck -D, few enough to walk quickly.
        src = SourceTree.build(work.resolve("src"), 400, false);
    }

    static List<ExtImages.Variant> variants() {
        return List.of(ExtImages.EXT4_1K, ExtImages.EXT4_NOCSUM, ExtImages.EXT2_1K, ExtImages.EXT4_INLINE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void damagedMetadataFailsCleanly(ExtImages.Variant v) throws Exception {
        Path img = ExtImages.mkfs(new ExtImages.Variant(v.name() + "-fuzz", v.type(), 16, v.options()), work, src);
        ExtImages.indexDirectories(img);
        byte[] pristine = Files.readAllBytes(img);
        // Metadata of a fresh small image sits in the first few hundred KiB; data lies further on.
        int window = Math.min(pristine.length, 600 * 1024);
        // Damage lands where metadata is: bytes that are not zero (unused inodes and free
        // bitmap space are mostly zeros and would make most rounds no-ops).
        int[] live = java.util.stream.IntStream.range(0, window).filter(i -> pristine[i] != 0).toArray();
        long seed = 4242 + v.name().hashCode();
        Random rnd = new Random(seed);
        int opened = 0;
        failures = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] img2 = pristine.clone();
            int flips = 1 + rnd.nextInt(16);
            for (int i = 0; i < flips; i++) {
                int at = rnd.nextInt(4) == 0 ? rnd.nextInt(window) : live[rnd.nextInt(live.length)];
                img2[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : img2[at] ^ (1 << rnd.nextInt(8)));
            }
            String context = v + " seed " + seed + " round " + round;
            boolean[] ok = {false};
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try (ExtFileSystem fs = ExtFileSystem.open(new ByteArrayBlockDevice(img2, "fuzz"), false)) {
                    ok[0] = true;
                    walk(fs, "/", 0);
                } catch (FileSystemException expected) {
                    assertTrue(expected.getMessage() != null && !expected.getMessage().contains("\n"), context + ": " + expected.getMessage());
                }
                // Writing into a damaged image may fail, but only with a FileSystemException.
                try (ExtFileSystem fs = ExtFileSystem.open(new ByteArrayBlockDevice(img2.clone(), "fuzz"), true)) {
                    fs.writeText("/etc/fstab", "UUID=x / ext4 defaults 0 1\n");
                    fs.mkdirs("/new/dir");
                    fs.writeFile("/new/dir/file", new byte[5000], 0644, 0, 0);
                    fs.symlink("/new/link", "dir/file");
                    fs.writeText("/bigdir/fuzz-added", "x");
                    fs.delete("/hello.txt");
                    fs.delete("/bigdir/file-with-a-longish-name-7");
                } catch (FileSystemException expected) {
                    assertTrue(expected.getMessage() != null && !expected.getMessage().contains("\n"), context + ": " + expected.getMessage());
                }
            }, context);
            if (ok[0]) {
                opened++;
            }
        }
        System.out.println("ExtFuzzTest: " + v + " seed " + seed + ": " + opened + " of " + ROUNDS
                + " damaged images opened, " + failures + " files refused while walking");
        assertTrue(opened > 0, v + ": no damaged image could be opened at all, so the walk was never exercised");
    }

    static int failures;

    private static void walk(GuestFileSystem fs, String dir, int depth) throws IOException {
        if (depth > 20) {
            return;
        }
        for (String name : fs.list(dir)) {
            String p = (dir.equals("/") ? "" : dir) + "/" + name;
            FileInfo info = fs.lstat(p).orElse(null);
            if (info == null) {
                continue;
            }
            try {
                if (info.type() == FileType.DIRECTORY) {
                    walk(fs, p, depth + 1);
                } else if (info.type() == FileType.SYMLINK) {
                    fs.readlink(p);
                    fs.stat(p);
                } else if (info.type() == FileType.REGULAR) {
                    fs.readFile(p, 16 << 20);
                }
            } catch (FileSystemException perFile) {
                assertTrue(!perFile.getMessage().contains("\n"), perFile.getMessage());
                failures++;
            }
        }
    }
}
