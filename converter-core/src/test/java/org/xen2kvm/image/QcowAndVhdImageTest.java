package org.xen2kvm.image;

import org.xen2kvm.image.open.ImageOpener;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.xen2kvm.image.QemuOracle.assertDecodesLikeQemu;
import static org.xen2kvm.image.QemuOracle.io;
import static org.xen2kvm.image.QemuOracle.run;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.DiskFormat;

/** qcow v1 and VHD (fixed, dynamic) images made by qemu-img, compared with qemu-img convert and map. */
class QcowAndVhdImageTest {
    @TempDir
    Path dir;

    @BeforeEach
    void tools() {
        QemuOracle.requireQemu();
    }

    private Path source() throws Exception {
        run(dir, "qemu-img", "create", "-f", "raw", "src.raw", "24M");
        Path src = dir.resolve("src.raw");
        io(src, "raw", "write -P 0xab 1M 64k", "write -P 0x01 0 4k", "write -P 0xcd 5M 3M",
                "write -P 0x77 23M 1M", "write -P 0x3c 12345 777");
        return src;
    }

    @Test
    void qcowVersion1() throws Exception {
        source();
        run(dir, "qemu-img", "convert", "-O", "qcow", "src.raw", "v1.qcow");
        assertDecodesLikeQemu(dir.resolve("v1.qcow"), "qcow", null);
        assertDecodesLikeQemu(dir.resolve("v1.qcow"), "qcow", DiskFormat.QCOW);
    }

    @Test
    void qcowVersion1CompressedClusters() throws Exception {
        run(dir, "qemu-img", "create", "-f", "qcow", "c.qcow", "8M");
        Path img = dir.resolve("c.qcow");
        io(img, "qcow", "write -c -P 0x33 0 4k", "write -c -P 0x34 8k 4k", "write -P 0x35 64k 4k",
                "write -c -P 0x36 5M 4k");
        assertDecodesLikeQemu(img, "qcow", null);
    }

    @Test
    void qcowVersion1WithBackingFile() throws Exception {
        source();
        run(dir, "qemu-img", "create", "-f", "qcow", "-b", "src.raw", "-F", "raw", "top.qcow");
        io(dir.resolve("top.qcow"), "qcow", "write -P 0x99 5M 4k", "write -P 0x98 20M 100k");
        assertDecodesLikeQemu(dir.resolve("top.qcow"), "qcow", null);
        ImageInfo info = ImageOpener.inspect(dir.resolve("top.qcow"), null, ImageOpener.OpenOptions.DEFAULT);
        assertEquals(DiskFormat.QCOW, info.format());
        assertEquals(DiskFormat.RAW, info.backingChain().get(0).format());
    }

    @Test
    void vhdFixed() throws Exception {
        source();
        run(dir, "qemu-img", "convert", "-O", "vpc", "-o", "subformat=fixed", "src.raw", "fixed.vhd");
        // qemu-img map calls all of a fixed VHD data; ours follows the host file's holes.
        assertDecodesLikeQemu(dir.resolve("fixed.vhd"), "vpc", null, false);
        assertEquals("fixed", ImageOpener.inspect(dir.resolve("fixed.vhd"), DiskFormat.VHD,
                ImageOpener.OpenOptions.DEFAULT).details().get("vhd type"));
    }

    @Test
    void vhdDynamic() throws Exception {
        source();
        run(dir, "qemu-img", "convert", "-O", "vpc", "-o", "subformat=dynamic", "src.raw", "dyn.vhd");
        assertDecodesLikeQemu(dir.resolve("dyn.vhd"), "vpc", null);
        assertDecodesLikeQemu(dir.resolve("dyn.vhd"), "vpc", DiskFormat.VHD);
        ImageInfo info = ImageOpener.inspect(dir.resolve("dyn.vhd"), null, ImageOpener.OpenOptions.DEFAULT);
        assertEquals(DiskFormat.VHD, info.format());
        assertEquals("dynamic", info.details().get("vhd type"));
        assertEquals("2097152", info.details().get("block size"));
    }

    @Test
    void rawSparseFileExtentsComeFromSeekData() throws Exception {
        Path src = source();
        assertDecodesLikeQemu(src, "raw", DiskFormat.RAW);
        assertDecodesLikeQemu(src, "raw", null);
    }
}
