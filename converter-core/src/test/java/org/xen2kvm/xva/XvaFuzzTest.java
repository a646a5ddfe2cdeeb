package org.xen2kvm.xva;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz targets for XVA exports: the tar reader on its own, and the whole archive
 * (compression detection, tar index, ova.xml, chunk reads). A corrupt archive may only be
 * refused with an {@link IOException} ({@link XvaFormatException}) or, for its ova.xml, a
 * {@link Xen2KvmException}. Seeds: testdata/fuzz-seeds.sh.
 */
class XvaFuzzTest {
    private static final int MAX_READ = 64 * 1024;

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void tar(byte[] data) throws Exception {
        Fuzz.expect(() -> {
            TarReader tar = new TarReader(new TarReader.StreamSource(new ByteArrayInputStream(data)), Path.of("fuzz.tar"));
            byte[] buf = new byte[MAX_READ];
            TarReader.Entry e;
            while ((e = tar.next()) != null) {
                tar.readData(buf, 0, (int) Math.min(e.size(), MAX_READ));
            }
        }, IOException.class);
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void archive(byte[] data) throws Exception {
        Path file = Fuzz.file("fuzz.xva", data);
        Fuzz.expect(() -> {
            try (XvaArchive xva = XvaArchive.open(file)) {
                for (XvaDisk d : xva.disks()) {
                    xva.checksumKinds(d.ref());
                    if (xva.compression() != XvaArchive.Compression.NONE) {
                        continue;
                    }
                    try (BlockDevice dev = xva.disk(d.ref(), d.virtualSize())) {
                        dev.read(0, ByteBuffer.allocate((int) Math.min(dev.size(), MAX_READ)));
                    }
                }
            }
        }, IOException.class, Xen2KvmException.class);
    }
}
