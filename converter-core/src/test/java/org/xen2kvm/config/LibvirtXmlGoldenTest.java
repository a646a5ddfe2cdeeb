package org.xen2kvm.config;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.xen2kvm.xen.ConfigFormat;

class LibvirtXmlGoldenTest {
    @TestFactory
    Stream<DynamicTest> libvirtFixtures() throws IOException {
        return GoldenFixtures.tests("libvirt", "xml", ConfigFormat.LIBVIRT);
    }
}
