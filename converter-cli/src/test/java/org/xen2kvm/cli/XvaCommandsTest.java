package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.StrictJson;

/** {@code disk info} and {@code disk convert} on a XenServer export. */
class XvaCommandsTest {
    private static final int CHUNK = 1 << 20;

    /** A 3 MiB disk Ref:4 whose middle chunk is all zeros and so left out, as xapi does. */
    static byte[] writeXva(Path file) throws Exception {
        byte[] disk = new byte[3 * CHUNK];
        new Random(5).nextBytes(disk);
        Arrays.fill(disk, CHUNK, 2 * CHUNK, (byte) 0);
        String ova = "<value><struct><member><name>objects</name><value><array><data><value><struct>"
                + "<member><name>class</name><value>VDI</value></member><member><name>id</name><value>Ref:4</value></member>"
                + "<member><name>snapshot</name><value><struct><member><name>virtual_size</name><value><string>"
                + disk.length + "</string></value></member></struct></value></member></struct></value>"
                + "</data></array></value></member></struct></value>";
        try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            add(tar, "ova.xml", ova.getBytes(StandardCharsets.UTF_8));
            for (int i : new int[] {0, 2}) {
                byte[] chunk = Arrays.copyOfRange(disk, i * CHUNK, (i + 1) * CHUNK);
                String name = String.format("Ref:4/%08d", i);
                add(tar, name, chunk);
                add(tar, name + ".checksum", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(chunk))
                        .getBytes(StandardCharsets.US_ASCII));
            }
        }
        return disk;
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] data) throws Exception {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    @Test
    @SuppressWarnings("unchecked")
    void infoListsTheDisksAndTheirChecksums(@TempDir Path dir) throws Exception {
        Path xva = dir.resolve("vm.xva");
        writeXva(xva);
        CliTest.Run r = CliTest.run("disk", "info", xva.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> info = (Map<String, Object>) StrictJson.parse(r.out());
        assertEquals("xva", info.get("format"));
        assertEquals("none", info.get("compression"));
        Map<String, Object> disk = ((List<Map<String, Object>>) info.get("disks")).get(0);
        assertEquals("Ref:4", disk.get("ref"));
        assertEquals((long) 3 * CHUNK, disk.get("virtualSize"));
        assertEquals(2L, disk.get("chunks"));
        assertEquals(List.of("SHA-1"), disk.get("checksums"));
    }

    @Test
    void convertsTheDiskOfAnExport(@TempDir Path dir) throws Exception {
        Path xva = dir.resolve("vm.xva");
        byte[] disk = writeXva(xva);
        Path out = dir.resolve("vm.raw");
        CliTest.Run r = CliTest.run("disk", "convert", xva.toString(), out.toString(), "-O", "raw");
        assertEquals(0, r.exit(), r.err());
        assertArrayEquals(disk, Files.readAllBytes(out));
        CliTest.Run wrong = CliTest.run("disk", "convert", xva.toString(), dir.resolve("x.raw").toString(), "-O", "raw",
                "--xva-disk", "Ref:9");
        assertEquals(2, wrong.exit());
        assertTrue(wrong.err().contains("no disk Ref:9 in the archive; it holds [Ref:4]"), wrong.err());
    }
}
