package org.xen2kvm.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.config.libvirt.LibvirtXmlReader;
import org.xen2kvm.config.read.GuestDefinitionReader;
import org.xen2kvm.config.sxp.SxpReader;
import org.xen2kvm.config.xl.XlDialect;
import org.xen2kvm.config.xl.XlFile;
import org.xen2kvm.config.xl.XlGuestMapper;
import org.xen2kvm.config.xl.XlParser;
import org.xen2kvm.xva.XvaReader;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz targets for the guest definition readers. A malformed definition may only be
 * refused with a {@link ConfigParseException} (a {@link Xen2KvmException}), or an
 * {@link IOException} where a file is read; seeds are the golden examples.
 * Without JAZZER_FUZZ these replay the seeds and regression inputs in
 * {@code ConfigFuzzTestInputs/<method>/}; see docs/fuzzing.md.
 */
class ConfigFuzzTest {

    private static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void xlConfig(byte[] data) throws Exception {
        Fuzz.expect(() -> {
            XlFile parsed = XlParser.parse("fuzz.cfg", text(data));
            XlGuestMapper.map(parsed, XlDialect.detect(parsed));
        }, Xen2KvmException.class);
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void sxp(byte[] data) throws Exception {
        Fuzz.expect(() -> SxpReader.read("fuzz.sxp", text(data)), Xen2KvmException.class);
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void libvirtXml(byte[] data) throws Exception {
        Fuzz.expect(() -> LibvirtXmlReader.read("fuzz.xml", text(data)), Xen2KvmException.class);
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void ovaXml(byte[] data) throws Exception {
        Fuzz.expect(() -> XvaReader.fromOvaXml("ova.xml", text(data)), Xen2KvmException.class);
    }

    /** Format detection and dispatch as {@code inspect} does it, from a file. */
    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void guestDefinition(byte[] data) throws Exception {
        Fuzz.expect(() -> GuestDefinitionReader.read(Fuzz.file("guest", data), null),
                Xen2KvmException.class, IOException.class);
    }
}
