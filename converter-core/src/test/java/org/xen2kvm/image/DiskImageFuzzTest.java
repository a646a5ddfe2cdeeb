package org.xen2kvm.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.xen2kvm.image.open.ImageOpener;
import org.xen2kvm.image.DiskFormat;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz targets for the disk image readers (qcow2, qcow, VHD and the format probe):
 * open the fuzzed file, describe it, and read its first sectors, its allocated extents and
 * its last sector. A corrupt image may only be refused with an {@link IOException}
 * ({@link DiskFormatException}). Seeds: tiny images from testdata/fuzz-seeds.sh.
 */
class DiskImageFuzzTest {
    /** Bytes read per input, so a huge declared size costs no more than a small one. */
    private static final int READ = 64 * 1024;
    private static final int MAX_EXTENTS_READ = 16;

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void qcow2(byte[] data) throws Exception {
        openAndRead(data, DiskFormat.QCOW2);
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void qcow(byte[] data) throws Exception {
        openAndRead(data, DiskFormat.QCOW);
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void vhd(byte[] data) throws Exception {
        openAndRead(data, DiskFormat.VHD);
    }

    /** As {@code disk info} without {@code -f}: the format comes from the content. */
    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void probed(byte[] data) throws Exception {
        openAndRead(data, null);
    }

    private static void openAndRead(byte[] data, DiskFormat format) throws Exception {
        Path file = Fuzz.file("image", data);
        Fuzz.expect(() -> {
            ImageOpener.inspect(file, format, ImageOpener.OpenOptions.DEFAULT);
            try (FormatImage image = ImageOpener.openImage(file, format, ImageOpener.OpenOptions.DEFAULT)) {
                long size = image.size();
                if (size < 0) {
                    throw new AssertionError("negative size " + size);
                }
                image.read(0, ByteBuffer.allocate((int) Math.min(size, READ)));
                List<Extent> extents = image.allocatedExtents();
                for (Extent e : extents.subList(0, Math.min(extents.size(), MAX_EXTENTS_READ))) {
                    image.read(e.offset(), ByteBuffer.allocate((int) Math.min(e.length(), 4096)));
                }
                if (size >= 512) {
                    image.read(size - 512, ByteBuffer.allocate(512));
                }
                image.allocatedBytes();
            }
        }, IOException.class);
    }
}
