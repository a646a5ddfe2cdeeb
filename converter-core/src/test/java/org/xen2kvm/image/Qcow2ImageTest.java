package org.xen2kvm.image;

import org.xen2kvm.image.open.ImageOpener;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.xen2kvm.image.QemuOracle.assertDecodesLikeQemu;
import static org.xen2kvm.image.QemuOracle.io;
import static org.xen2kvm.image.QemuOracle.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.DiskFormat;

/** qcow2 v2/v3 images made by qemu-img, read back and compared with qemu-img convert and map. */
class Qcow2ImageTest {
    @TempDir
    Path dir;

    @BeforeEach
    void tools() {
        QemuOracle.requireQemu();
    }

    private Path create(String name, String compat, String size, String... extra) throws Exception {
        String opts = "compat=" + compat + (extra.length > 0 ? "," + String.join(",", extra) : "");
        run(dir, "qemu-img", "create", "-f", "qcow2", "-o", opts, name, size);
        return dir.resolve(name);
    }

    @Test
    void version2WithData() throws Exception {
        Path img = create("v2.qcow2", "0.10", "64M");
        io(img, "qcow2", "write -P 0xab 1M 64k", "write -P 0x01 0 4k", "write -P 0xcd 20M 3M",
                "write -P 0x77 67043328 65536");
        assertDecodesLikeQemu(img, "qcow2", DiskFormat.QCOW2);
        assertDecodesLikeQemu(img, "qcow2", null);
        assertEquals(DiskFormat.QCOW2, ImageOpener.inspect(img, null, ImageOpener.OpenOptions.DEFAULT).format());
    }

    @Test
    void version3WithZeroClustersAndSmallClusters() throws Exception {
        Path img = create("v3.qcow2", "1.1", "33M", "cluster_size=4096");
        io(img, "qcow2", "write -P 0xab 1M 64k", "write -P 0x5a 8M 2M", "write -z 8M 1M",
                "write -z 30M 1M", "write -P 0x11 34594936 4096");
        assertDecodesLikeQemu(img, "qcow2", null);
    }

    @Test
    void bigClustersAndOddVirtualSize() throws Exception {
        Path img = create("big.qcow2", "1.1", "10000384", "cluster_size=2M");
        io(img, "qcow2", "write -P 0x42 1536 5000", "write -P 0x43 9000000 1000000");
        assertDecodesLikeQemu(img, "qcow2", null);
    }

    @Test
    void backingChainRelativeAndAbsolute() throws Exception {
        Path base = dir.resolve("base.raw");
        run(dir, "qemu-img", "create", "-f", "raw", "base.raw", "16M");
        io(base, "raw", "write -P 0x11 0 1M", "write -P 0x12 4M 64k", "write -P 0x13 12M 2M");
        // mid names its parent relatively, top names its parent by absolute path.
        run(dir, "qemu-img", "create", "-f", "qcow2", "-o", "compat=0.10", "-b", "base.raw", "-F", "raw",
                "mid.qcow2");
        io(dir.resolve("mid.qcow2"), "qcow2", "write -P 0x21 512k 1M", "write -P 0x22 12M 64k");
        run(dir, "qemu-img", "create", "-f", "qcow2", "-b", dir.resolve("mid.qcow2").toString(), "-F", "qcow2",
                "top.qcow2", "20M");
        Path top = dir.resolve("top.qcow2");
        io(top, "qcow2", "write -P 0x31 4M 4k", "write -z 12M 64k", "write -P 0x32 18M 64k");
        assertDecodesLikeQemu(top, "qcow2", DiskFormat.QCOW2);

        ImageInfo info = ImageOpener.inspect(top, null, ImageOpener.OpenOptions.DEFAULT);
        assertEquals(2, info.backingChain().size());
        assertEquals(DiskFormat.QCOW2, info.backingChain().get(0).format());
        assertEquals(DiskFormat.RAW, info.backingChain().get(1).format());
        assertEquals(16L << 20, info.backingChain().get(1).virtualSize());
        assertEquals(info.backingChain().subList(1, 2), info.backingChain().get(0).backingChain());
        assertEquals("3", info.details().get("qcow2 version"));
        assertEquals(dir.resolve("mid.qcow2").toString(), info.details().get("backing file"));
    }

    @Test
    void compressedClusters() throws Exception {
        Path src = dir.resolve("src.raw");
        byte[] data = new byte[6 << 20];
        Random rnd = new Random(7);
        for (int i = 0; i < data.length; i += 4096) {
            int kind = (i >> 16) % 4;
            for (int j = 0; j < 4096; j++) {
                data[i + j] = switch (kind) {
                    case 0 -> (byte) (j % 7);
                    case 1 -> (byte) rnd.nextInt(256); // incompressible: stored uncompressed
                    case 2 -> 0;
                    default -> (byte) ((i / 4096 + j / 100) & 0xff);
                };
            }
        }
        Files.write(src, data);
        run(dir, "qemu-img", "convert", "-c", "-O", "qcow2", "src.raw", "c.qcow2");
        run(dir, "qemu-img", "convert", "-c", "-O", "qcow2", "-o", "cluster_size=4k,compat=0.10", "src.raw",
                "c4k.qcow2");
        assertDecodesLikeQemu(dir.resolve("c.qcow2"), "qcow2", null);
        assertDecodesLikeQemu(dir.resolve("c4k.qcow2"), "qcow2", null);
    }

    @Test
    void dirtyBitIsToleratedWithANote() throws Exception {
        Path img = create("dirty.qcow2", "1.1", "8M", "lazy_refcounts=on");
        io(img, "qcow2", "write -P 0x66 0 64k");
        ImageTestFiles.patchLong(img, 72, ImageTestFiles.readLong(img, 72) | 1L);
        ImageInfo info = ImageOpener.inspect(img, DiskFormat.QCOW2, ImageOpener.OpenOptions.DEFAULT);
        assertEquals(true, info.details().get("note").startsWith("dirty bit set"));
        try (BlockDevice dev = ImageOpener.open(img, DiskFormat.QCOW2, ImageOpener.OpenOptions.DEFAULT)) {
            assertEquals(0x66, dev.readBytes(100, 1)[0]);
        }
    }
}
