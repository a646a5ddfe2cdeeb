package org.xen2kvm.xva;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TarReaderTest {
    private static final Path NAME = Path.of("test.tar");
    private static final String LONG = "Ref:4/" + "d".repeat(150) + "/00000001";

    private static byte[] tar(int longFileMode, String... names) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            t.setLongFileMode(longFileMode);
            for (String n : names) {
                byte[] data = n.getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(n, true);
                e.setSize(data.length);
                t.putArchiveEntry(e);
                t.write(data);
                t.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** GNU long-name entries and pax path records both give the full name. */
    @ParameterizedTest
    @ValueSource(ints = {TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX})
    void longNames(int mode) throws IOException {
        TarReader r = new TarReader(new TarReader.StreamSource(new ByteArrayInputStream(tar(mode, "ova.xml", LONG, "x"))), NAME);
        assertEquals("ova.xml", r.next().name());
        TarReader.Entry e = r.next();
        assertEquals(LONG, e.name());
        byte[] data = new byte[(int) e.size()];
        r.readData(data, 0, data.length);
        assertArrayEquals(LONG.getBytes(StandardCharsets.UTF_8), data);
        assertEquals("x", r.next().name());
        assertNull(r.next());
    }

    @ParameterizedTest
    @ValueSource(ints = {TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX})
    void longEscapingNameIsRejected(int mode) throws IOException {
        String evil = "d".repeat(120) + "/../../etc/cron.d/x";
        TarReader r = new TarReader(new TarReader.StreamSource(new ByteArrayInputStream(tar(mode, evil))), NAME);
        XvaFormatException e = assertThrows(XvaFormatException.class, r::next);
        assertTrue(e.getMessage().contains("is absolute or leaves the archive with '..'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {148, 124, 0})
    void damagedHeaderIsRejected(int offset) throws IOException {
        byte[] t = tar(TarArchiveOutputStream.LONGFILE_ERROR, "ova.xml");
        t[offset] = (byte) (offset == 124 ? 'x' : t[offset] + 1);
        TarReader r = new TarReader(new TarReader.StreamSource(new ByteArrayInputStream(t)), NAME);
        XvaFormatException e = assertThrows(XvaFormatException.class, r::next);
        assertTrue(e.getMessage().startsWith("test.tar: at offset "), e.getMessage());
    }
}
