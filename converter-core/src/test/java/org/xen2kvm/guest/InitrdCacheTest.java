package org.xen2kvm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.initramfs.InitramfsFormatException;
import org.xen2kvm.initramfs.InitramfsImage;

/** {@link InitrdCache}: one inflation per version of a file, writes kept, a memory budget. */
class InitrdCacheTest {
    private static final String PATH = "/boot/initrd.img-6.1.0-18-amd64";

    private static MemoryFileSystem guest() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("initrds");
        fs.dir("/boot");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("init", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        files.put("usr/lib/modules/6.1.0-18-amd64/kernel/drivers/block/virtio_blk.ko", new byte[4096]);
        fs.writeFile(PATH, GuestTrees.gzip(GuestTrees.cpio(files)), 0644, 0, 0);
        return fs;
    }

    @Test
    void listingAndImageOfOneVersionInflateItOnce() throws Exception {
        MemoryFileSystem fs = guest();
        InitrdCache cache = InitrdCache.empty();
        cache.prefetch(fs, PATH);
        cache.prefetch(fs, PATH);
        InitrdCache.Entry e = cache.get(fs, PATH);
        assertTrue(e.listing().hasModule("virtio_blk"), e.toString());
        InitramfsImage image = cache.image(fs, PATH);
        assertSame(image, cache.image(fs, PATH));
        assertEquals(Map.of(PATH, 1), cache.inflations());
    }

    @Test
    void aFileThatIsNoInitramfsIsUnsupportedWhileACorruptOneIsNot() throws Exception {
        MemoryFileSystem fs = guest();
        fs.writeFile("/boot/initrd.img-placeholder", "placeholder initrd\n".getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
        byte[] good = fs.readFile(PATH, 1 << 20);
        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
        fs.writeFile("/boot/initrd.img-truncated", truncated, 0644, 0, 0);
        InitrdCache cache = InitrdCache.empty();
        InitrdCache.Entry placeholder = cache.get(fs, "/boot/initrd.img-placeholder");
        assertNull(placeholder.listing());
        assertTrue(placeholder.unsupported(), placeholder.toString());
        assertTrue(placeholder.problem().contains("neither a cpio header nor a known compression"), placeholder.problem());
        InitrdCache.Entry broken = cache.get(fs, "/boot/initrd.img-truncated");
        assertNull(broken.listing());
        assertTrue(!broken.unsupported() && broken.problem().startsWith("/boot/initrd.img-truncated"), broken.toString());
    }

    @Test
    void anImageWrittenThroughTheCacheIsNotReadAgain() throws Exception {
        MemoryFileSystem fs = guest();
        InitrdCache cache = InitrdCache.empty();
        InitramfsImage edited = cache.image(fs, PATH).replaceFile("etc/lvm/lvm.conf",
                "devices { }\n".getBytes(StandardCharsets.UTF_8), 0644);
        byte[] written = cache.write(fs, PATH, edited, 0600, 0, 0);
        assertSame(edited, cache.image(fs, PATH));
        assertTrue(cache.get(fs, PATH).listing().paths().contains("etc/lvm/lvm.conf"));
        assertEquals(Map.of(PATH, 1), cache.inflations());
        // What was written is what the cache holds.
        assertEquals(edited, InitramfsImage.read(PATH, fs.readFile(PATH, 1 << 20)));
        assertEquals(written.length, fs.readFile(PATH, 1 << 20).length);
    }

    @Test
    void aFileChangedBehindTheCacheIsReadAgain() throws Exception {
        MemoryFileSystem fs = guest();
        InitrdCache cache = InitrdCache.empty();
        assertEquals(2, cache.get(fs, PATH).listing().paths().size());
        fs.writeFile(PATH, GuestTrees.gzip(GuestTrees.cpio("init", "a", "b")), 0644, 0, 0);
        assertEquals(List.of("init", "a", "b"), cache.get(fs, PATH).listing().paths());
        assertEquals(Map.of(PATH, 2), cache.inflations());
    }

    @Test
    void beyondTheBudgetAnImageIsReadAgainInsteadOfKept() throws Exception {
        MemoryFileSystem fs = guest();
        InitrdCache cache = InitrdCache.withBudget(0);
        InitramfsImage first = cache.image(fs, PATH);
        InitramfsImage second = cache.image(fs, PATH);
        assertEquals(first, second);
        assertEquals(Map.of(PATH, 2), cache.inflations(), "the statistic counts every inflation");
        // The listing (names only) stays known without another inflation.
        assertTrue(cache.get(fs, PATH).listing().hasModule("virtio_blk"));
        assertEquals(Map.of(PATH, 2), cache.inflations());
    }

    @Test
    void releasedImagesKeepTheirListings() throws Exception {
        MemoryFileSystem fs = guest();
        InitrdCache cache = InitrdCache.empty();
        InitramfsImage image = cache.image(fs, PATH);
        cache.releaseImages();
        assertTrue(cache.get(fs, PATH).listing().hasModule("virtio_blk"));
        assertEquals(Map.of(PATH, 1), cache.inflations());
        assertEquals(image, cache.image(fs, PATH));
        assertEquals(Map.of(PATH, 2), cache.inflations(), "a released image is read again when asked for");
    }

    @Test
    void missingAndCorruptInitrdsAreNamed() throws Exception {
        MemoryFileSystem fs = guest();
        InitrdCache cache = InitrdCache.empty();
        InitrdCache.Entry missing = cache.get(fs, "/boot/initrd.img-none");
        assertNull(missing.listing());
        assertEquals("/boot/initrd.img-none: missing", missing.problem());
        assertThrows(FileNotFoundException.class, () -> cache.image(fs, "/boot/initrd.img-none"));
        fs.writeFile("/boot/initrd.img-bad", "hello".getBytes(StandardCharsets.US_ASCII), 0644, 0, 0);
        String expected = "/boot/initrd.img-bad: segment 1 at offset 0 starts with bytes 68656c6c6f, neither a cpio header"
                + " nor a known compression";
        assertEquals(expected, cache.get(fs, "/boot/initrd.img-bad").problem());
        assertEquals(expected, assertThrows(InitramfsFormatException.class, () -> cache.image(fs, "/boot/initrd.img-bad"))
                .getMessage());
        assertEquals(1, cache.inflations().get("/boot/initrd.img-bad"));
    }
}
