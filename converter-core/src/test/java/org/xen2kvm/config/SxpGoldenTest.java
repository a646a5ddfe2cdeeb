package org.xen2kvm.config;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.xen2kvm.xen.ConfigFormat;

class SxpGoldenTest {
    @TestFactory
    Stream<DynamicTest> sxpFixtures() throws IOException {
        return GoldenFixtures.tests("sxp", "sxp", ConfigFormat.SXP);
    }
}
