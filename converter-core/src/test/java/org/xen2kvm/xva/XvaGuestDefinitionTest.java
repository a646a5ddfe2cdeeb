package org.xen2kvm.xva;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xen2kvm.config.read.GuestDefinitionReader;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceGuestJson;

/**
 * {@code inspect --config-only} at the core level: the guest definition of an XVA is the same
 * whatever the archive's compression, and it comes from the archive reader that {@code disk info}
 * uses. Before the two readers were merged, a zstd archive was refused as "binary data".
 */
class XvaGuestDefinitionTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(XvaArchive.Compression.class)
    void sameGuestForEveryCompression(XvaArchive.Compression c) throws Exception {
        String ovaXml = Files.readString(fixture("pv-guest.xml"));
        Path xva = new XvaTestArchive().ovaXml(ovaXml).disk("Ref:3", new byte[2 * XvaTestArchive.CHUNK])
                .compression(c).write(dir.resolve("vm-" + c.name().toLowerCase() + ".xva"));

        assertEquals(ConfigFormat.XVA, GuestDefinitionReader.detect(xva, Files.readAllBytes(xva)));
        SourceGuest g = GuestDefinitionReader.read(xva, null);
        assertEquals(Files.readString(fixture("pv-guest.json")).strip(), SourceGuestJson.toJson(g));
        try (XvaArchive archive = XvaArchive.open(xva)) {
            assertEquals(c, archive.compression());
            assertEquals(ovaXml, new String(archive.ovaXml(), StandardCharsets.UTF_8));
        }
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(XvaGuestDefinitionTest.class.getResource("/org/xen2kvm/xva/" + name).toURI());
    }
}
