package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.StrictJson;
import org.xen2kvm.testutil.Hashes;
import org.xen2kvm.testutil.Tmpfs;

/**
 * A full output file system, on a small tmpfs: {@code convert} and {@code disk convert} refuse
 * before copying when the disk's data cannot fit, and a copy that runs out of room part-way
 * fails with one line naming the output and the figures, leaving the file system empty.
 *
 * <p>The source holds {@link #DATA} bytes of random data (nothing compresses or reads as zeros)
 * in a sparse 64 MiB image, so the data to write is exactly {@link #DATA}. Running out part-way
 * is made certain by the qcow2 metadata: a tmpfs of {@link #DATA} + 64 KiB passes the check
 * (the data fits) but the header, L1, L2 and refcount clusters (five 64 KiB clusters) do not.
 */
class DiskFullTest {
    static final int DATA = 4 << 20;
    static final String NEEDED = "needed about 4.0 MiB for the disk";
    /** The data fits, its qcow2 metadata does not. */
    static final String SLIGHTLY_ABOVE = ((DATA >> 10) + 64) + "k";

    @TempDir
    Path dir;
    Path image;
    Path cfg;
    Path mnt;
    String sourceHash;
    private boolean mounted;

    /** Writes the HVM guest web1 into {@code dir}: web1.cfg and its one disk web1.img; returns the config. */
    static Path guest(Path dir) throws IOException {
        Path image = dir.resolve("web1.img");
        byte[] data = new byte[DATA];
        new Random(9).nextBytes(data);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(64L << 20);
            f.seek(8L << 20);
            f.write(data);
        }
        Path cfg = dir.resolve("web1.cfg");
        Files.writeString(cfg, "name = 'web1'\nbuilder = 'hvm'\nmemory = 256\nvcpus = 1\n"
                + "disk = ['file:" + image + ",hda,w']\n");
        return cfg;
    }

    @BeforeEach
    void makeGuest() throws Exception {
        cfg = guest(dir);
        image = dir.resolve("web1.img");
        sourceHash = Hashes.sha256(image);
        mnt = Files.createDirectory(dir.resolve("mnt"));
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            Tmpfs.unmount(mnt);
        }
        assertEquals(sourceHash, Hashes.sha256(image), "the source was written");
    }

    private void mount(String size) throws Exception {
        Tmpfs.mount(mnt, size);
        mounted = true;
    }

    private List<Path> leftOnTmpfs() throws IOException {
        try (var s = Files.walk(mnt)) {
            return s.filter(p -> !p.equals(mnt)).sorted().toList();
        }
    }

    private static String lastLine(String s) {
        String[] lines = s.split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void convertRefusesBeforeCopyingWhenTheDataCannotFit() throws Exception {
        mount("1m");
        Path out = mnt.resolve("vms");
        CliTest.Run r = CliTest.run("convert", cfg.toString(), "-o", out.toString(), "--domain-type", "qemu");
        assertEquals(1, r.exit(), r.err());
        assertEquals("", r.out());
        // Free space is measured after the run marker (one 4 KiB tmpfs page) is written.
        String line = lastLine(r.err());
        List<String> allowed = List.of("1.0 MiB", "1020 KiB").stream().map(free -> "xen2kvm: " + out
                + ": not enough space on " + mnt + " (" + NEEDED + ", " + free + " free); nothing was written").toList();
        assertTrue(allowed.contains(line), allowed + "\n" + r.err());
        assertEquals(List.of(), leftOnTmpfs());
    }

    @Test
    void convertRunningOutPartWayKeepsNothing() throws Exception {
        mount(SLIGHTLY_ABOVE);
        Path out = mnt.resolve("vms");
        CliTest.Run r = CliTest.run("convert", cfg.toString(), "-o", out.toString(), "-O", "qcow2",
                "--domain-type", "qemu");
        assertEquals(1, r.exit(), r.err());
        assertEquals("", r.out());
        assertEquals("xen2kvm: " + out.resolve("web1-hda.qcow2") + ": no space left on " + mnt + " (" + NEEDED
                + ", 4.1 MiB were free); nothing was kept", lastLine(r.err()), r.err());
        assertEquals(List.of(), leftOnTmpfs());
    }

    @Test
    void theDryRunPlanGivesTheDataToWriteAndTheFreeSpace() throws Exception {
        mount("1m");
        Path out = mnt.resolve("vms");
        CliTest.Run text = CliTest.run("convert", "--dry-run", cfg.toString(), "-o", out.toString());
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("  space:    " + NEEDED + ", 1.0 MiB free on " + mnt + "\n"
                + "    " + out.resolve("web1-hda.qcow2") + ": about 4.0 MiB of data (4194304 bytes)\n"), text.out());
        assertTrue(text.out().contains("    - not enough space for the disks: " + NEEDED), text.out());

        CliTest.Run json = CliTest.run("convert", "--dry-run", "--json", cfg.toString(), "-o", out.toString());
        assertEquals(0, json.exit(), json.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> space = (Map<String, Object>) ((Map<String, Object>) StrictJson.parse(json.out()))
                .get("space");
        assertEquals(mnt.toString(), space.get("fileSystem"));
        assertEquals((long) DATA, ((Number) space.get("neededBytes")).longValue());
        assertEquals(1L << 20, ((Number) space.get("freeBytes")).longValue());
        assertEquals(false, space.get("enough"));
        @SuppressWarnings("unchecked")
        Map<String, Object> disk = ((List<Map<String, Object>>) space.get("disks")).get(0);
        assertEquals(out.resolve("web1-hda.qcow2").toString(), disk.get("output"));
        assertEquals((long) DATA, ((Number) disk.get("dataBytes")).longValue());
        assertEquals(List.of(), leftOnTmpfs());
    }

    @Test
    void diskConvertRefusesBeforeCopyingWhenTheDataCannotFit() throws Exception {
        mount("1m");
        Path dst = mnt.resolve("web1.raw");
        CliTest.Run r = CliTest.run("disk", "convert", image.toString(), dst.toString(), "-O", "raw");
        assertEquals(1, r.exit(), r.err());
        assertEquals("", r.out());
        assertEquals(List.of("xen2kvm disk convert: " + dst + ": not enough space on " + mnt + " (" + NEEDED
                + ", 1.0 MiB free); nothing was written"), List.of(r.err().split("\n")));
        assertEquals(List.of(), leftOnTmpfs());
    }

    @Test
    void diskConvertRunningOutPartWayKeepsNothing() throws Exception {
        mount(SLIGHTLY_ABOVE);
        Path dst = mnt.resolve("web1.qcow2");
        CliTest.Run r = CliTest.run("disk", "convert", image.toString(), dst.toString(), "-O", "qcow2", "--json");
        assertEquals(1, r.exit(), r.err());
        String message = dst + ": no space left on " + mnt + " (" + NEEDED + ", 4.1 MiB were free); nothing was kept";
        assertEquals(List.of("xen2kvm disk convert: " + message), List.of(r.err().split("\n")));
        assertEquals("{\"event\":\"error\",\"exitCode\":1,\"message\":\"" + message + "\"}", lastLine(r.out()));
        assertEquals(List.of(), leftOnTmpfs());
    }
}
