package org.xen2kvm.config;

import org.xen2kvm.config.read.GuestDefinitionReader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceGuestJson;

/**
 * XVA: the bare ova.xml fixtures (golden and -fail), and .xva archives built here at test
 * time (plain and gzip tar) around the same ova.xml, with a disk chunk after it as XenServer
 * writes them.
 */
class XvaReaderTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> ovaXmlFixtures() throws IOException {
        return GoldenFixtures.tests("xva", "xml", ConfigFormat.XVA);
    }

    @Test
    void readsOvaXmlFromPlainTar() throws IOException {
        Path xva = tmp.resolve("guest.xva");
        try (OutputStream out = Files.newOutputStream(xva)) {
            writeTar(out, "ova.xml", ovaXml());
        }
        assertSameAsBareOvaXml(xva);
    }

    @Test
    void readsOvaXmlFromGzipTar() throws IOException {
        Path xva = tmp.resolve("guest.xva.gz");
        try (OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(xva))) {
            writeTar(out, "ova.xml", ovaXml());
        }
        assertSameAsBareOvaXml(xva);
    }

    @Test
    void tarWithoutOvaXmlIsRejected() throws IOException {
        Path xva = tmp.resolve("nometa.xva");
        try (OutputStream out = Files.newOutputStream(xva)) {
            writeTar(out, "README", "not metadata".getBytes(StandardCharsets.UTF_8));
        }
        ConfigParseException e = assertThrows(ConfigParseException.class, () -> GuestDefinitionReader.read(xva, null));
        assertEquals(xva + ":1:1: no ova.xml among the first archive members at '" + xva
                + "' (expected an XVA archive whose first member is ova.xml)", e.getMessage());
    }

    @Test
    void truncatedGzipIsRejectedNotCrashed() throws IOException {
        Path full = tmp.resolve("full.xva.gz");
        try (OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(full))) {
            writeTar(out, "ova.xml", ovaXml());
        }
        byte[] bytes = Files.readAllBytes(full);
        Path cut = tmp.resolve("cut.xva.gz");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        ConfigParseException e = assertThrows(ConfigParseException.class, () -> GuestDefinitionReader.read(cut, null));
        assertTrue(e.getMessage().startsWith(cut + ":1:1: "), e.getMessage());
    }

    private void assertSameAsBareOvaXml(Path xva) throws IOException {
        assertEquals(ConfigFormat.XVA, GuestDefinitionReader.detect(xva, Files.readAllBytes(xva)));
        SourceGuest g = GuestDefinitionReader.read(xva, null);
        assertEquals(ConfigFormat.XVA, g.origin());
        String expected = Files.readString(GoldenFixtures.folder("xva").resolve("pv-guest.json")).strip();
        assertEquals(expected, SourceGuestJson.toJson(g));
    }

    private static byte[] ovaXml() throws IOException {
        return Files.readAllBytes(GoldenFixtures.folder("xva").resolve("pv-guest.xml"));
    }

    /** ova.xml first, then one 1 MiB-style disk chunk and its checksum, as in a real export. */
    private static void writeTar(OutputStream out, String firstName, byte[] first) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            add(tar, firstName, first);
            add(tar, "Ref:3/00000000", new byte[4096]);
            add(tar, "Ref:3/00000000.checksum", "0".repeat(40).getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }
}
