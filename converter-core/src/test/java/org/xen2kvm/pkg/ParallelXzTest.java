package org.xen2kvm.pkg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.ExternalTool;

/** Blocks inflated side by side give the bytes xz wrote, in order, and corruption is caught. */
class ParallelXzTest {
    @TempDir
    static Path dir;
    static byte[] plain;

    @BeforeAll
    static void data() {
        // Compressible but not trivial: words from a small vocabulary in random order.
        Random r = new Random(11);
        String[] words = {"vmlinuz", "modules", "virtio_blk", "initramfs", "depmod", "ext4", "xen", "kvm", "\n"};
        StringBuilder sb = new StringBuilder();
        while (sb.length() < (5 << 20) + 12345) {
            sb.append(words[r.nextInt(words.length)]).append(' ').append(r.nextInt(1000));
        }
        plain = sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code xz} with blocks of {@code blockSize}, after {@code prefix} bytes of something else. */
    private static Path xz(String name, String blockSize, int prefix) throws Exception {
        ExternalTool.require("xz");
        Path in = dir.resolve(name);
        Files.write(in, plain);
        ExternalTool.Result r = ExternalTool.run(List.of("xz", "-k", "-T1", "--block-size=" + blockSize, in.toString()));
        assertTrue(r.exitCode() == 0, r.output());
        Path out = dir.resolve(name + ".prefixed");
        byte[] xz = Files.readAllBytes(dir.resolve(name + ".xz"));
        byte[] all = new byte[prefix + xz.length];
        System.arraycopy(xz, 0, all, prefix, xz.length);
        Files.write(out, all);
        return out;
    }

    private static byte[] readAll(Path file, int prefix, boolean expectParallel) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        Optional<InputStream> in = ParallelXz.open(ch, prefix, Files.size(file) - prefix);
        if (in.isEmpty()) {
            ch.close();
            assertTrue(!expectParallel, file + " was not inflated in parallel");
            return null;
        }
        assertTrue(expectParallel, file + " has one block: nothing to gain");
        try (InputStream s = in.get()) {
            return s.readAllBytes();
        }
    }

    @Test
    void manyBlocksGiveTheBytesXzWrote() throws Exception {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return; // one CPU: ParallelXz declines, as the next test shows for one block
        }
        assertArrayEquals(plain, readAll(xz("many", "1MiB", 0), 0, true));
        // Inside an ar archive the stream starts at the member's offset.
        assertArrayEquals(plain, readAll(xz("offset", "700KiB", 61), 61, true));
    }

    @Test
    void oneBlockIsLeftToTheOrdinaryStream() throws Exception {
        readAll(xz("one", "64MiB", 0), 0, false);
    }

    @Test
    void aCorruptBlockFailsTheRead() throws Exception {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return;
        }
        Path file = xz("corrupt", "1MiB", 0);
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x40; // inside a middle block's compressed data
        Files.write(file, b);
        assertThrows(IOException.class, () -> readAll(file, 0, true));
        // The last block: after its data only the index and the footer (under 200 bytes here).
        Path last = xz("corrupt-last", "1MiB", 0);
        byte[] l = Files.readAllBytes(last);
        l[l.length - 200] ^= 0x01;
        Files.write(last, l);
        assertThrows(IOException.class, () -> readAll(last, 0, true));
    }
}
