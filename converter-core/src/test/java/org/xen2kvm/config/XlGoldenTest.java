package org.xen2kvm.config;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.xen2kvm.xen.ConfigFormat;

/** xl/xm fixtures under {@code org/xen2kvm/config/xl}: fixtures named {@code xm-*} must be detected as xm. */
class XlGoldenTest {
    @TestFactory
    Stream<DynamicTest> xlFixtures() throws IOException {
        return GoldenFixtures.tests("xl", "cfg", ConfigFormat.XL);
    }
}
