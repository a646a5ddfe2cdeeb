package org.xen2kvm.image;

import org.xen2kvm.image.open.ImageOpener;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.DiskFormat;

/**
 * qcow v1 images as Xen's blktap wrote them (block-qcow.c qcow_create): a "XEN\xfb" extended
 * header after the 48-byte header, the L1 table on a 4 KiB boundary, and, in images from old
 * tapdisks (flags without EXTHDR_L1_BIG_ENDIAN), an L1 table in little-endian order.
 */
class BlktapQcowTest {
    private static final int CLUSTER = 4096;
    private static final long SIZE = 4L << 20;

    @TempDir
    Path dir;

    /** Writes a blktap-style image: clusters 0, 5 and 600 hold 0x41, 0x42 and 0x43. */
    private Path write(String name, boolean bigEndianL1) throws Exception {
        int l2Entries = 512;
        long l1At = 4096;
        long l2At = 8192;
        long dataAt = l2At + 2L * l2Entries * 8;
        ByteBuffer f = ByteBuffer.allocate((int) (dataAt + 3 * CLUSTER));
        f.putInt(0, 0x514649fb).putInt(4, 1).putLong(24, SIZE);
        f.put(32, (byte) 12).put(33, (byte) 9).putLong(40, l1At);
        f.putInt(48, 0x58454efb).putInt(56, 512).putInt(60, 0x01 | (bigEndianL1 ? 0x02 : 0));
        ByteBuffer l1 = f.duplicate().order(bigEndianL1 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        l1.putLong((int) l1At, l2At).putLong((int) l1At + 8, l2At + l2Entries * 8);
        long[][] clusters = {{0, 0x41}, {5, 0x42}, {600, 0x43}};
        for (int i = 0; i < clusters.length; i++) {
            long guest = clusters[i][0];
            long host = dataAt + (long) i * CLUSTER;
            f.putLong((int) (l2At + guest * 8), host);
            Arrays.fill(f.array(), (int) host, (int) host + CLUSTER, (byte) clusters[i][1]);
        }
        Path p = dir.resolve(name);
        Files.write(p, f.array());
        return p;
    }

    @Test
    void bigEndianL1ReadsLikeQemu() throws Exception {
        QemuOracle.requireQemu();
        Path p = write("new.qcow", true);
        QemuOracle.assertDecodesLikeQemu(p, "qcow", null);
        assertEquals("yes", ImageOpener.inspect(p, DiskFormat.QCOW, ImageOpener.OpenOptions.DEFAULT).details()
                .get("xen blktap header"));
    }

    @Test
    void littleEndianL1FromOldTapdiskIsSwapped() throws Exception {
        Path old = write("old.qcow", false);
        Path current = write("new.qcow", true);
        try (BlockDevice a = ImageOpener.open(old, DiskFormat.QCOW, ImageOpener.OpenOptions.DEFAULT);
                BlockDevice b = ImageOpener.open(current, DiskFormat.QCOW, ImageOpener.OpenOptions.DEFAULT)) {
            assertArrayEquals(b.readBytes(0, (int) SIZE), a.readBytes(0, (int) SIZE));
            assertEquals(0x43, a.readBytes(600L * CLUSTER + 17, 1)[0]);
            assertEquals(List.of(new Extent(0, CLUSTER), new Extent(5 * CLUSTER, CLUSTER),
                    new Extent(600L * CLUSTER, CLUSTER)), a.allocatedExtents());
        }
    }
}
