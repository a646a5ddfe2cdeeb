package org.xen2kvm.xva;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.Extent;
import org.xen2kvm.image.write.AtomicOutput;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.image.write.DiskCopier;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.image.ProgressEvent;
import org.xen2kvm.image.ProgressListener;
import org.xen2kvm.testutil.SharedCorpus;

class XvaArchiveTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    static Stream<Arguments> layouts() {
        return Stream.of(XvaArchive.Compression.values()).flatMap(c -> Stream.of(ChunkName.Kind.SHA1, ChunkName.Kind.XXHASH)
                .map(k -> Arguments.of(c, k)));
    }

    /** Two disks: one with missing (all-zero) chunks, one whose size is not a whole number of chunks. */
    private static XvaTestArchive twoDisks(XvaArchive.Compression c, ChunkName.Kind kind) {
        return new XvaTestArchive().compression(c).checksums(kind)
                .disk("Ref:4", 6 * MIB, 1, 1, 2, 5)
                .disk("Ref:9", 2 * MIB + 1536, 2);
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void readsBackEveryLayout(XvaArchive.Compression c, ChunkName.Kind kind) throws Exception {
        XvaTestArchive gen = twoDisks(c, kind);
        Path xva = gen.write(dir.resolve("vm.xva"));
        try (XvaArchive a = XvaArchive.open(xva)) {
            assertEquals(c, a.compression());
            assertEquals(gen.ovaXml(), new String(a.ovaXml(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(6L * MIB, a.virtualSize("Ref:4").orElseThrow());
            assertEquals(2L * MIB + 1536, a.virtualSize("Ref:9").orElseThrow());
            int chunks4 = c == XvaArchive.Compression.NONE ? 3 : -1;
            int chunks9 = c == XvaArchive.Compression.NONE ? 3 : -1;
            assertEquals(List.of(new XvaDisk("Ref:4", 6L * MIB, chunks4), new XvaDisk("Ref:9", 2L * MIB + 1536, chunks9)),
                    a.disks());
            for (String ref : List.of("Ref:4", "Ref:9")) {
                byte[] expected = gen.data(ref);
                Path raw = dir.resolve(ref.replace(':', '_') + ".raw");
                List<ProgressEvent> events = new java.util.ArrayList<>();
                a.extractDisk(ref, expected.length, raw, events::add);
                assertArrayEquals(expected, Files.readAllBytes(raw), ref);
                assertEquals(expected.length, events.get(events.size() - 1).bytesDone());
                if (c == XvaArchive.Compression.NONE) {
                    try (BlockDevice dev = a.disk(ref, expected.length)) {
                        byte[] got = new byte[expected.length];
                        // Reads that straddle chunk boundaries and missing chunks.
                        int step = 700_001;
                        for (int p = 0; p < got.length; p += step) {
                            dev.read(p, ByteBuffer.wrap(got, p, Math.min(step, got.length - p)));
                        }
                        assertArrayEquals(expected, got, ref);
                    }
                }
            }
        }
    }

    @Test
    void missingChunksAreHolesAndNotExtents() throws Exception {
        XvaTestArchive gen = twoDisks(XvaArchive.Compression.NONE, ChunkName.Kind.SHA1);
        Path xva = gen.write(dir.resolve("vm.xva"));
        try (XvaArchive a = XvaArchive.open(xva); BlockDevice dev = a.disk("Ref:4", 6L * MIB)) {
            assertEquals(List.of(new Extent(0, MIB), new Extent(3L * MIB, 2L * MIB)), dev.allocatedExtents());
            // The disk goes through the copier like any other device.
            Path raw = dir.resolve("copy.raw");
            DiskCopier.copy(dev, raw, OutputFormat.RAW, CopyOptions.DEFAULT, ProgressListener.NONE);
            assertArrayEquals(gen.data("Ref:4"), Files.readAllBytes(raw));
        }
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void flippedByteNamesTheChunk(XvaArchive.Compression c, ChunkName.Kind kind) throws Exception {
        Path xva = twoDisks(c, kind).corrupt("Ref:4", 3).write(dir.resolve("bad.xva"));
        String label = kind == ChunkName.Kind.SHA1 ? "SHA-1" : "xxHash64";
        try (XvaArchive a = XvaArchive.open(xva)) {
            Path raw = dir.resolve("out.raw");
            XvaFormatException e = assertThrows(XvaFormatException.class,
                    () -> a.extractDisk("Ref:4", 6L * MIB, raw, ProgressListener.NONE));
            assertTrue(e.getMessage().contains(": chunk Ref:4/00000003 fails its " + label + " check (stored "), e.getMessage());
            assertTrue(e.getMessage().endsWith("); the archive is corrupt"), e.getMessage());
            assertFalse(Files.exists(raw));
            assertFalse(Files.exists(AtomicOutput.partOf(raw)));
            if (c == XvaArchive.Compression.NONE) {
                try (BlockDevice dev = a.disk("Ref:4", 6L * MIB)) {
                    dev.read(0, ByteBuffer.allocate(MIB)); // chunk 0 is fine
                    XvaFormatException e2 = assertThrows(XvaFormatException.class,
                            () -> dev.read(3L * MIB + 10, ByteBuffer.allocate(10)));
                    assertEquals(e.getMessage(), e2.getMessage());
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void entryLeavingTheArchiveIsRejected(XvaArchive.Compression c, ChunkName.Kind kind) throws Exception {
        Path xva = twoDisks(c, kind).extraEntry("../evil").write(dir.resolve("evil.xva"));
        XvaFormatException e = assertThrows(XvaFormatException.class, () -> {
            try (XvaArchive a = XvaArchive.open(xva)) {
                a.extractDisk("Ref:4", 6L * MIB, dir.resolve("x.raw"), ProgressListener.NONE);
            }
        });
        // The header after ova.xml (one header block, two data blocks) is at byte 1536.
        assertEquals(xva + ": at offset 1536: tar entry name '../evil' is absolute or leaves the archive with '..'; refusing a corrupt or hostile XVA",
                e.getMessage());
    }

    @Test
    void absoluteEntryIsRejected() throws Exception {
        Path xva = twoDisks(XvaArchive.Compression.NONE, ChunkName.Kind.SHA1).extraEntry("/etc/passwd")
                .write(dir.resolve("abs.xva"));
        XvaFormatException e = assertThrows(XvaFormatException.class, () -> XvaArchive.open(xva));
        assertTrue(e.getMessage().contains("tar entry name '/etc/passwd' is absolute"), e.getMessage());
    }

    @Test
    void compressedArchiveHasNoRandomAccess() throws Exception {
        Path xva = twoDisks(XvaArchive.Compression.GZIP, ChunkName.Kind.SHA1).write(dir.resolve("vm.xva.gz"));
        try (XvaArchive a = XvaArchive.open(xva)) {
            XvaFormatException e = assertThrows(XvaFormatException.class, () -> a.disk("Ref:4", 6L * MIB));
            assertEquals(xva + ": at offset 0: archive is gzip-compressed, so Ref:4 cannot be read at random;"
                    + " extract it first (XvaArchive.extractDisk)", e.getMessage());
        }
    }

    @Test
    void truncatedArchiveIsReported() throws Exception {
        Path xva = twoDisks(XvaArchive.Compression.NONE, ChunkName.Kind.SHA1).write(dir.resolve("vm.xva"));
        byte[] all = Files.readAllBytes(xva);
        Path cut = dir.resolve("cut.xva");
        Files.write(cut, java.util.Arrays.copyOf(all, 2 * MIB));
        XvaFormatException e = assertThrows(XvaFormatException.class, () -> XvaArchive.open(cut));
        assertTrue(e.getMessage().contains("runs past the end of the file") || e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void notAnXva() throws Exception {
        Path f = dir.resolve("plain.xva");
        Files.write(f, new byte[4096]);
        XvaFormatException e = assertThrows(XvaFormatException.class, () -> XvaArchive.open(f));
        assertEquals(f + ": at offset 0: first tar entry is missing, expected ova.xml; this is not an XVA export",
                e.getMessage());
    }

    @Test
    void corpusOvaXmlSizes() throws Exception {
        Path corpus = SharedCorpus.root().resolve("xva/openxenmanager-xenserver-5.5.0.ova.xml");
        assertTrue(Files.exists(corpus), "shared corpus not found at " + corpus);
        Map<String, Long> sizes = OvaXmlDisks.virtualSizes(Files.readAllBytes(corpus), corpus);
        assertEquals(Map.of("Ref:4", 5368709120L, "Ref:7", 4294965248L), sizes);
    }
}
