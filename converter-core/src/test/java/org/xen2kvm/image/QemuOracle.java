package org.xen2kvm.image;

import org.xen2kvm.image.open.ImageOpener;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.image.DiskFormat;
import org.xen2kvm.testutil.ExternalTool;

/**
 * qemu-img and qemu-io as test oracles: they build fixtures and say what an image holds.
 * Missing tools skip the test locally but fail it in CI (CI=true).
 */
public final class QemuOracle {
    private static final Pattern MAP_ENTRY = Pattern.compile(
            "\"start\": (\\d+), \"length\": (\\d+),[^}]*\"data\": (true|false)");

    private QemuOracle() {
    }

    /** Skips (locally) or fails (in CI) when qemu-utils is missing. */
    public static void requireQemu() {
        ExternalTool.require("qemu-img", "qemu-io");
    }

    /** Runs a command in {@code dir}, failing the test with its output when it exits non-zero. */
    public static String run(Path dir, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            fail(String.join(" ", command) + " exited " + rc + ": " + out);
        }
        return out;
    }

    /** qemu-io commands (e.g. "write -P 0xab 1M 64k") applied to an image of format {@code fmt}. */
    public static void io(Path image, String fmt, String... commands) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", fmt));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(image.toString());
        run(image.toAbsolutePath().getParent(), cmd.toArray(String[]::new));
    }

    /** The ranges qemu-img map reports as data (merged). */
    public static List<Extent> dataExtents(Path image, String fmt) throws IOException, InterruptedException {
        String json = run(image.toAbsolutePath().getParent(), "qemu-img", "map", "-f", fmt, "--output=json",
                image.toString());
        List<Extent> out = new ArrayList<>();
        Matcher m = MAP_ENTRY.matcher(json);
        while (m.find()) {
            if (Boolean.parseBoolean(m.group(3))) {
                Extents.append(out, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
            }
        }
        return out;
    }

    private static boolean covered(List<Extent> sorted, Extent e) {
        for (Extent q : sorted) {
            if (q.offset() <= e.offset() && q.end() >= e.end()) {
                return true;
            }
        }
        return false;
    }

    /** Every byte outside {@code extents} must be zero in the expected content. */
    private static void assertHolesReadAsZero(Path image, FileChannel expected, List<Extent> extents, long size)
            throws IOException {
        long pos = 0;
        List<Extent> all = new ArrayList<>(extents);
        all.add(new Extent(size, 0));
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        for (Extent e : all) {
            while (pos < e.offset()) {
                int n = (int) Math.min(buf.capacity(), e.offset() - pos);
                buf.clear().limit(n);
                expected.read(buf, pos);
                for (int i = 0; i < n; i++) {
                    if (buf.get(i) != 0) {
                        fail(image + ": non-zero byte at " + (pos + i) + " lies outside our extents " + extents);
                    }
                }
                pos += n;
            }
            pos = Math.max(pos, e.end());
        }
    }

    /** What qemu-img convert -O raw makes of the image. */
    public static Path toRaw(Path image, String fmt) throws IOException, InterruptedException {
        Path raw = image.resolveSibling(image.getFileName() + ".oracle.raw");
        run(image.toAbsolutePath().getParent(), "qemu-img", "convert", "-f", fmt, "-O", "raw", image.toString(),
                raw.toString());
        return raw;
    }

    /**
     * Asserts our decoder reads exactly the bytes qemu-img convert produces, in large sequential
     * chunks and in small unaligned pieces, and that our extents equal qemu-img map's data ranges.
     */
    public static void assertDecodesLikeQemu(Path image, String qemuFmt, DiskFormat declared)
            throws IOException, InterruptedException {
        assertDecodesLikeQemu(image, qemuFmt, declared, true);
    }

    /**
     * As above; with {@code exactMap} false (formats where qemu-img map reports every byte as data,
     * e.g. fixed VHD) our extents only have to avoid qemu's holes and cover every non-zero byte.
     */
    public static void assertDecodesLikeQemu(Path image, String qemuFmt, DiskFormat declared, boolean exactMap)
            throws IOException, InterruptedException {
        Path raw = toRaw(image, qemuFmt);
        List<Extent> qemuData = dataExtents(image, qemuFmt);
        try (BlockDevice dev = ImageOpener.open(image, declared, ImageOpener.OpenOptions.DEFAULT);
                FileChannel expected = FileChannel.open(raw, StandardOpenOption.READ)) {
            assertEquals(expected.size(), dev.size(), "virtual size of " + image);
            int chunk = 1 << 20;
            ByteBuffer want = ByteBuffer.allocate(chunk);
            ByteBuffer got = ByteBuffer.allocate(chunk);
            for (long pos = 0; pos < dev.size(); pos += chunk) {
                int n = (int) Math.min(chunk, dev.size() - pos);
                want.clear().limit(n);
                expected.read(want, pos);
                got.clear().limit(n);
                dev.read(pos, got);
                if (!Arrays.equals(want.array(), 0, n, got.array(), 0, n)) {
                    fail(image + ": bytes differ from qemu-img convert in the MiB at " + pos);
                }
            }
            Random rnd = new Random(42);
            for (int i = 0; i < 200; i++) {
                int len = 1 + rnd.nextInt(200_000);
                long off = (long) (rnd.nextDouble() * Math.max(1, dev.size() - len));
                ByteBuffer w = ByteBuffer.allocate(len);
                expected.read(w, off);
                assertArrayEquals(w.array(), dev.readBytes(off, len), image + ": read " + off + "+" + len);
            }
            List<Extent> ours = dev.allocatedExtents();
            if (exactMap) {
                assertEquals(qemuData, ours, image + ": allocated extents vs qemu-img map");
            }
            assertHolesReadAsZero(image, expected, ours, dev.size());
            for (Extent e : ours) {
                if (!covered(qemuData, e)) {
                    fail(image + ": our extent " + e + " is a hole for qemu-img map " + qemuData);
                }
            }
        }
    }
}
