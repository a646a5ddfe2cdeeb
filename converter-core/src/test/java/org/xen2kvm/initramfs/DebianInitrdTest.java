package org.xen2kvm.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The initrd mkinitramfs wrote for the Debian 12 test guest (testdata/build-guests.sh, zstd,
 * ~4,000 entries): read, written again and read back with the same entries in the same
 * order, and Debian's lsinitramfs lists the rewrite exactly as it lists the original.
 */
class DebianInitrdTest {
    @TempDir
    Path tmp;

    static Path guestInitrd() throws Exception {
        Path cache = Path.of(System.getenv().getOrDefault("XEN2KVM_TESTDATA", "/var/tmp/xen2kvm-testdata"));
        Path found = null;
        if (Files.isDirectory(cache)) {
            try (var dirs = Files.list(cache)) {
                for (Path d : dirs.toList()) {
                    if (Files.isRegularFile(d.resolve("guest-a/initrd.img"))) {
                        found = d.resolve("guest-a/initrd.img");
                    }
                }
            }
        }
        ExternalTool.requireThat(found != null, "no guest-a/initrd.img under " + cache + " (testdata/build-guests.sh builds it)");
        return found;
    }

    @Test
    void realDebianInitrdRoundTrips() throws Exception {
        Path original = guestInitrd();
        byte[] bytes = Files.readAllBytes(original);
        long start = System.nanoTime();
        InitramfsImage image = InitramfsImage.read(original.toString(), bytes);
        long read = System.nanoTime();
        byte[] written = image.write();
        long wrote = System.nanoTime();
        System.out.printf("DebianInitrdTest: %d bytes, %d entries, %s; read %d ms, written %d ms (%d bytes)%n", bytes.length,
                image.entries().size(), image.mainCompression().label(), (read - start) / 1_000_000, (wrote - read) / 1_000_000,
                written.length);
        InitramfsImage back = InitramfsImage.read("rewritten", written);
        // An edit recompresses the main segment; the check below then covers the writer, not the copy of what was read.
        long editStart = System.nanoTime();
        written = image.replaceFile("conf/conf.d/resume", "RESUME=none\n".getBytes(), 0644).write();
        System.out.printf("DebianInitrdTest: edited and recompressed in %d ms (%d bytes)%n",
                (System.nanoTime() - editStart) / 1_000_000, written.length);
        assertEquals(image.entries(), InitramfsImage.read("edited", written).entries());
        assertEquals(image.entries(), back.entries());
        assertTrue(image.entries().size() > 1000, "a Debian initrd holds thousands of entries");
        Path copy = tmp.resolve("initrd.img");
        Files.write(copy, written);
        ExternalTool.Result a = ExternalTool.run(List.of("lsinitramfs", "-l", original.toString()));
        ExternalTool.Result b = ExternalTool.run(List.of("lsinitramfs", "-l", copy.toString()));
        assertEquals(0, b.exitCode(), b.output());
        assertEquals(a.output().replace(original.toString(), "X"), b.output().replace(copy.toString(), "X"));
    }
}
