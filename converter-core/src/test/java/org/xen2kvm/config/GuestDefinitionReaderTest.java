package org.xen2kvm.config;

import org.xen2kvm.config.read.GuestDefinitionReader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceGuest;

/** Format detection, forced formats and the guards against binary or huge input. */
class GuestDefinitionReaderTest {
    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private ConfigFormat detect(String text) throws IOException {
        Path p = write("probe", text);
        return GuestDefinitionReader.detect(p, Files.readAllBytes(p));
    }

    @Test
    void detectsEachFormatFromContent() throws IOException {
        assertEquals(ConfigFormat.XL, detect("# comment\nname = \"a\"\n"));
        assertEquals(ConfigFormat.SXP, detect("# comment\n\n(domain (name a))\n"));
        assertEquals(ConfigFormat.LIBVIRT, detect("<?xml version='1.0'?>\n<!-- x -->\n<domain type='xen'/>"));
        assertEquals(ConfigFormat.XVA, detect("<value><struct></struct></value>"));
        assertEquals(ConfigFormat.XL, detect(""));
    }

    @Test
    void unknownXmlIsRejected() throws IOException {
        Path p = write("other.xml", "<?xml version='1.0'?>\n<html><body/></html>");
        ConfigParseException e = assertThrows(ConfigParseException.class, () -> GuestDefinitionReader.read(p, null));
        assertEquals(p + ":2:1: XML that is neither a libvirt domain nor an XVA ova.xml at '<html' "
                + "(expected <domain type='xen'> or an XML-RPC <value><struct>)", e.getMessage());
        assertEquals(2, e.line());
        assertEquals(1, e.column());
    }

    @Test
    void xlAndXmDialectsAreRecordedInOrigin() throws IOException {
        assertEquals(ConfigFormat.XL, GuestDefinitionReader.read(write("a.cfg", "name='a'\ntype='pv'\n"), null).origin());
        assertEquals(ConfigFormat.XM, GuestDefinitionReader.read(write("b.cfg", "name='b'\nbuilder='hvm'\n"), null).origin());
        assertEquals(ConfigFormat.XL, GuestDefinitionReader.read(write("c.cfg", "name='c'\n"), null).origin());
        // a forced dialect only changes the origin: both share the parser
        SourceGuest forced = GuestDefinitionReader.read(write("d.cfg", "name='d'\n"), ConfigFormat.XM);
        assertEquals(ConfigFormat.XM, forced.origin());
        assertEquals("d", forced.name());
    }

    @Test
    void windowsLineEndingsAreAccepted() throws IOException {
        Path p = write("crlf.cfg", "name = 'crlf'\r\nmemory = 256\r\ndisk = [\r\n  'phy:/dev/a,xvda,w',\r\n]\r\n");
        SourceGuest g = GuestDefinitionReader.read(p, null);
        assertEquals("crlf", g.name());
        assertEquals(256L, g.memoryMiB());
        assertEquals("/dev/a", g.disks().get(0).path());
    }

    @Test
    void forcedFormatOverridesDetection() throws IOException {
        Path p = write("looks-like-xl.cfg", "name = 'x'\n");
        ConfigParseException e = assertThrows(ConfigParseException.class,
                () -> GuestDefinitionReader.read(p, ConfigFormat.SXP));
        assertEquals(p + ":1:1: not a xend domain S-expression at 'name' (expected one (domain ...) or (vm ...) expression)",
                e.getMessage());
    }

    @Test
    void binaryInputIsRejected() throws IOException {
        Path p = tmp.resolve("disk.img");
        Files.write(p, new byte[] {'n', 'a', 'm', 'e', 0, 1, 2, 3});
        ConfigParseException e = assertThrows(ConfigParseException.class, () -> GuestDefinitionReader.read(p, null));
        assertEquals(p + ":1:1: binary data, not a Xen guest definition at 'NUL byte' (expected an xl/xm config, SXP, "
                + "libvirt XML, an .xva archive or its ova.xml)", e.getMessage());
    }

    @Test
    void binaryAfterTheDetectionWindowIsRejectedWithItsLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 7000; i++) {
            sb.append("# padding line ").append(i).append('\n');
        }
        byte[] text = (sb + "name = 'x'\0\n").getBytes(StandardCharsets.US_ASCII);
        Path p = tmp.resolve("late-nul.cfg");
        Files.write(p, text);
        ConfigParseException e = assertThrows(ConfigParseException.class, () -> GuestDefinitionReader.read(p, null));
        assertEquals(p + ":7001:11: binary data in a text guest definition at 'NUL byte' (expected a text file)",
                e.getMessage());
    }

    @Test
    void hugeTextIsRefusedBeforeParsing() throws IOException {
        Path p = tmp.resolve("huge.cfg");
        byte[] big = new byte[(1 << 20) + 1];
        java.util.Arrays.fill(big, (byte) '#');
        Files.write(p, big);
        ConfigParseException e = assertThrows(ConfigParseException.class, () -> GuestDefinitionReader.read(p, null));
        assertEquals(p + ":1:1: file too large for a guest definition (1048577 bytes) at 'huge.cfg' "
                + "(expected a text config of at most 1 MiB)", e.getMessage());
    }

    @Test
    void jsonIsRejectedClearly() throws IOException {
        Path p = write("libxl.json", "  {\"c_info\": {}}");
        ConfigParseException e = assertThrows(ConfigParseException.class, () -> GuestDefinitionReader.read(p, null));
        assertEquals(p + ":1:3: JSON is not a supported guest definition (libxl JSON is an internal format) at '{' "
                + "(expected an xl/xm config, SXP, libvirt XML or an XVA)", e.getMessage());
    }
}
