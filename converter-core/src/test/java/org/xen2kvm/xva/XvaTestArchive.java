package org.xen2kvm.xva;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.xen2kvm.testutil.ExternalTool;

/**
 * Builds XVA archives the way {@code xe vm-export} lays them out: ova.xml, then per disk the
 * non-zero 1 MiB chunks, each followed by its checksum entry. Compression by the real
 * gzip/zstd tools' formats (zstd through the zstd command).
 */
final class XvaTestArchive {
    static final int CHUNK = XvaArchive.CHUNK_SIZE;

    private final Map<String, byte[]> disks = new LinkedHashMap<>();
    private ChunkName.Kind checksumKind = ChunkName.Kind.SHA1;
    private XvaArchive.Compression compression = XvaArchive.Compression.NONE;
    /** (ref, chunk) to corrupt after the checksum was computed. */
    private String corruptRef;
    private int corruptChunk = -1;
    private String extraEntry;

    /** A disk of {@code size} bytes: random chunks, with the chunks in {@code zeroChunks} all zero. */
    XvaTestArchive disk(String ref, int size, long seed, int... zeroChunks) {
        byte[] d = new byte[size];
        new Random(seed).nextBytes(d);
        for (int z : zeroChunks) {
            Arrays.fill(d, z * CHUNK, Math.min(size, (z + 1) * CHUNK), (byte) 0);
        }
        disks.put(ref, d);
        return this;
    }

    /** A disk with exactly this content. */
    XvaTestArchive disk(String ref, byte[] content) {
        disks.put(ref, content.clone());
        return this;
    }

    /** Replaces the generated ova.xml (which only lists VDIs) by a whole VM export header. */
    XvaTestArchive ovaXml(String xml) {
        ovaOverride = xml;
        return this;
    }

    private String ovaOverride;

    XvaTestArchive checksums(ChunkName.Kind kind) {
        checksumKind = kind;
        return this;
    }

    XvaTestArchive compression(XvaArchive.Compression c) {
        compression = c;
        return this;
    }

    XvaTestArchive corrupt(String ref, int chunk) {
        corruptRef = ref;
        corruptChunk = chunk;
        return this;
    }

    XvaTestArchive extraEntry(String name) {
        extraEntry = name;
        return this;
    }

    byte[] data(String ref) {
        return disks.get(ref);
    }

    String ovaXml() {
        if (ovaOverride != null) {
            return ovaOverride;
        }
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" ?><value><struct><member><name>objects</name>"
                + "<value><array><data>");
        disks.forEach((ref, d) -> b.append("<value><struct><member><name>class</name><value>VDI</value></member>"
                + "<member><name>id</name><value>").append(ref).append("</value></member>"
                + "<member><name>snapshot</name><value><struct><member><name>name_label</name><value>disk ")
                .append(ref).append("</value></member><member><name>virtual_size</name><value><string>")
                .append(d.length).append("</string></value></member></struct></value></member></struct></value>"));
        return b.append("</data></array></value></member></struct></value>").toString();
    }

    Path write(Path file) throws IOException, InterruptedException {
        Path tar = compression != XvaArchive.Compression.ZSTD ? file : file.resolveSibling(file.getFileName() + ".tar");
        try (OutputStream raw = Files.newOutputStream(tar);
             OutputStream out = compression == XvaArchive.Compression.GZIP ? new GZIPOutputStream(raw) : raw;
             TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            add(t, XvaArchive.OVA_XML, ovaXml().getBytes(StandardCharsets.UTF_8));
            if (extraEntry != null) {
                add(t, extraEntry, "x".getBytes(StandardCharsets.US_ASCII));
            }
            for (Map.Entry<String, byte[]> disk : disks.entrySet()) {
                byte[] d = disk.getValue();
                for (int i = 0; i * CHUNK < d.length; i++) {
                    byte[] chunk = Arrays.copyOfRange(d, i * CHUNK, Math.min(d.length, (i + 1) * CHUNK));
                    if (isZero(chunk)) {
                        continue;
                    }
                    String name = disk.getKey() + "/" + String.format("%08d", i);
                    String sum = checksum(chunk);
                    if (disk.getKey().equals(corruptRef) && i == corruptChunk) {
                        chunk[chunk.length / 2] ^= 0x40;
                    }
                    add(t, name, chunk);
                    add(t, name + (checksumKind == ChunkName.Kind.SHA1 ? ".checksum" : ".xxhash"),
                            sum.getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
        if (compression == XvaArchive.Compression.ZSTD) {
            ExternalTool.require("zstd");
            Process p = new ProcessBuilder("zstd", "-q", "-f", "-o", file.toString(), tar.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
        }
        if (tar != file) {
            Files.delete(tar);
        }
        return file;
    }

    private String checksum(byte[] chunk) {
        if (checksumKind == ChunkName.Kind.XXHASH) {
            return Xxh64.hex(Xxh64.hash(chunk, 0, chunk.length, 0));
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(chunk));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void add(TarArchiveOutputStream t, String name, byte[] data) throws IOException {
        // Keep names as given: hostile names are what some tests need.
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(data.length);
        t.putArchiveEntry(e);
        t.write(data);
        t.closeArchiveEntry();
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
