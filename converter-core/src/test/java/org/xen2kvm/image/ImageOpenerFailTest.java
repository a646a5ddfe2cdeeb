package org.xen2kvm.image;

import org.xen2kvm.image.open.ImageOpener;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xen2kvm.image.QemuOracle.io;
import static org.xen2kvm.image.QemuOracle.run;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.DiskFormat;

/** Corrupt, hostile and unsupported images: each fails with one message naming file and offset. */
class ImageOpenerFailTest {
    private static final ImageOpener.OpenOptions DEFAULT = ImageOpener.OpenOptions.DEFAULT;

    @TempDir
    Path dir;

    @BeforeEach
    void tools() {
        QemuOracle.requireQemu();
    }

    private Path qcow2(String name, String size) throws Exception {
        run(dir, "qemu-img", "create", "-f", "qcow2", name, size);
        Path p = dir.resolve(name);
        io(p, "qcow2", "write -P 0xab 1M 64k");
        return p;
    }

    private DiskFormatException failOpen(Path p, DiskFormat declared, ImageOpener.OpenOptions o) {
        return assertThrows(DiskFormatException.class, () -> {
            try (BlockDevice d = ImageOpener.open(p, declared, o)) {
                d.readBytes(0, (int) Math.min(d.size(), 4 << 20));
            }
        });
    }

    @Test
    void truncatedQcow2HeaderFails() throws Exception {
        Path p = qcow2("trunc-fail.qcow2", "8M");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(50);
        }
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset 50: qcow2 header truncated: the file has 50 bytes, the header needs 72",
                e.getMessage());
        assertEquals(50, e.offset());
    }

    @Test
    void l1EntryPastEndOfFileFails() throws Exception {
        Path p = qcow2("l1-fail.qcow2", "8M");
        long l1 = ImageTestFiles.readLong(p, 40);
        ImageTestFiles.patchLong(p, l1, 0x8000_0000_1000_0000L);
        DiskFormatException e = failOpen(p, DiskFormat.QCOW2, DEFAULT);
        assertEquals(p + ": at offset " + l1 + ": qcow2 L1 entry 0 points to an L2 table at 268435456 that is not"
                + " cluster-aligned or lies past the end of the file (" + Files.size(p) + " bytes)", e.getMessage());
    }

    @Test
    void l2EntryPastEndOfFileFails() throws Exception {
        Path p = qcow2("l2-fail.qcow2", "8M");
        long l2 = ImageTestFiles.readLong(p, ImageTestFiles.readLong(p, 40)) & 0x00ff_ffff_ffff_fe00L;
        long entry = l2 + 8 * 16; // guest 1 MiB / 64 KiB clusters
        ImageTestFiles.patchLong(p, entry, 0x8000_0000_4000_0000L);
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset " + entry + ": qcow2 L2 entry for guest offset 1048576 points to host cluster"
                + " 1073741824 that is not cluster-aligned or lies past the end of the file (" + Files.size(p)
                + " bytes)", e.getMessage());
    }

    @Test
    void absurdVirtualSizeFails() throws Exception {
        Path p = qcow2("size-fail.qcow2", "8M");
        ImageTestFiles.patchLong(p, 24, 1L << 60);
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset 24: qcow2 virtual size 1152921504606846976 bytes exceeds the supported"
                + " 70368744177664 bytes (64 TiB)", e.getMessage());
    }

    @Test
    void unknownIncompatibleFeatureFails() throws Exception {
        Path p = qcow2("feature-fail.qcow2", "8M");
        ImageTestFiles.patchLong(p, 72, 1L << 7);
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset 72: qcow2 incompatible feature bit 7 is not supported", e.getMessage());
    }

    @Test
    void extendedL2Fails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "qcow2", "-o", "extended_l2=on", "ext-fail.qcow2", "8M");
        Path p = dir.resolve("ext-fail.qcow2");
        DiskFormatException e = failOpen(p, DiskFormat.QCOW2, DEFAULT);
        assertEquals(p + ": at offset 72: qcow2 extended L2 entries are not supported (incompatible feature bit 4);"
                + " convert the image with 'qemu-img convert -O qcow2' first", e.getMessage());
    }

    @Test
    void backingChainLoopFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "qcow2", "x.qcow2", "8M");
        run(dir, "qemu-img", "create", "-f", "qcow2", "-b", "x.qcow2", "-F", "qcow2", "b.qcow2");
        run(dir, "qemu-img", "create", "-f", "qcow2", "-b", "b.qcow2", "-F", "qcow2", "a.qcow2");
        Path b = dir.resolve("b.qcow2");
        long nameAt = ImageTestFiles.readLong(b, 8);
        ImageTestFiles.patch(b, nameAt, "a.qcow2".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Path a = dir.resolve("a.qcow2");
        DiskFormatException e = failOpen(a, DiskFormat.QCOW2, DEFAULT);
        assertEquals(b + ": at offset " + nameAt + ": backing chain loop: backing file 'a.qcow2' ("
                + a.toRealPath() + ") is already part of the chain", e.getMessage());
    }

    @Test
    void missingBackingFileFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "qcow2", "x.qcow2", "8M");
        run(dir, "qemu-img", "create", "-f", "qcow2", "-b", "x.qcow2", "-F", "qcow2", "top.qcow2");
        Files.delete(dir.resolve("x.qcow2"));
        Path top = dir.resolve("top.qcow2");
        DiskFormatException e = failOpen(top, DiskFormat.QCOW2, DEFAULT);
        assertEquals(top + ": at offset " + ImageTestFiles.readLong(top, 8) + ": backing file 'x.qcow2' not found"
                + " (looked for [" + dir.resolve("x.qcow2") + "])", e.getMessage());
    }

    @Test
    void probedImageMayNotLeaveItsDirectory() throws Exception {
        Files.createDirectories(dir.resolve("in"));
        Files.createDirectories(dir.resolve("out"));
        run(dir, "qemu-img", "create", "-f", "raw", "out/base.raw", "8M");
        io(dir.resolve("out/base.raw"), "raw", "write -P 0x5e 0 4k");
        run(dir.resolve("in"), "qemu-img", "create", "-f", "qcow2", "-b", "../out/base.raw", "-F", "raw",
                "top.qcow2");
        Path top = dir.resolve("in/top.qcow2");
        DiskFormatException e = failOpen(top, null, DEFAULT);
        assertEquals(top + ": at offset " + ImageTestFiles.readLong(top, 8) + ": backing file '../out/base.raw'"
                + " resolves to " + dir.resolve("out/base.raw").toRealPath() + ", outside "
                + dir.resolve("in").toRealPath() + "; the image format was probed, so pass --allow-backing to"
                + " follow it (only for images you trust)", e.getMessage());
        // Declared by the Xen config (and the backing format named in the header): followed.
        try (BlockDevice d = ImageOpener.open(top, DiskFormat.QCOW2, DEFAULT)) {
            assertEquals(0x5e, d.readBytes(0, 1)[0]);
        }
        // Probed, but the user allowed it.
        try (BlockDevice d = ImageOpener.open(top, null, new ImageOpener.OpenOptions(true))) {
            assertEquals(0x5e, d.readBytes(0, 1)[0]);
        }
    }

    @Test
    void backingFormatThatMustBeProbedMayNotLeaveTheDirectory() throws Exception {
        Files.createDirectories(dir.resolve("in"));
        run(dir, "qemu-img", "create", "-f", "raw", "base.raw", "8M");
        run(dir.resolve("in"), "qemu-img", "create", "-f", "qcow", "-b", "../base.raw", "-F", "raw", "top.qcow");
        Path top = dir.resolve("in/top.qcow");
        DiskFormatException e = failOpen(top, DiskFormat.QCOW, DEFAULT);
        assertTrue(e.getMessage().contains("pass --allow-backing"), e.getMessage());
        try (BlockDevice d = ImageOpener.open(top, DiskFormat.QCOW, new ImageOpener.OpenOptions(true))) {
            assertEquals(8 << 20, d.size());
        }
    }

    @Test
    void declaredRawIsNeverProbed() throws Exception {
        Path p = qcow2("looks-like-qcow2.img", "8M");
        byte[] file = Files.readAllBytes(p);
        try (BlockDevice d = ImageOpener.open(p, DiskFormat.RAW, DEFAULT)) {
            assertEquals(file.length, d.size());
            assertArrayEquals(file, d.readBytes(0, file.length));
        }
        assertEquals(DiskFormat.RAW, ImageOpener.inspect(p, DiskFormat.RAW, DEFAULT).format());
        assertEquals(DiskFormat.QCOW2, ImageOpener.inspect(p, null, DEFAULT).format());
    }

    @Test
    void vhdBatEntryPastEndOfFileFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "raw", "src.raw", "8M");
        io(dir.resolve("src.raw"), "raw", "write -P 0x12 0 64k");
        run(dir, "qemu-img", "convert", "-O", "vpc", "src.raw", "bat-fail.vhd");
        Path p = dir.resolve("bat-fail.vhd");
        long header = ImageTestFiles.readLong(p, 16);
        long bat = ImageTestFiles.readLong(p, header + 16);
        ImageTestFiles.patchInt(p, bat, 0x0100_0000);
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset " + bat + ": VHD BAT entry 0 points to a block at 8589934592 that lies past the"
                + " end of the file (" + Files.size(p) + " bytes)", e.getMessage());
    }

    @Test
    void vhdFooterChecksumMismatchFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "vpc", "-o", "subformat=fixed", "sum-fail.vhd", "8M");
        Path p = dir.resolve("sum-fail.vhd");
        long footer = Files.size(p) - 512;
        ImageTestFiles.patchLong(p, footer + 48, 1L << 50);
        DiskFormatException e = failOpen(p, DiskFormat.VHD, DEFAULT);
        assertTrue(e.getMessage().startsWith(p + ": at offset " + (footer + 64) + ": VHD footer checksum 0x"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; the footer is damaged"), e.getMessage());
    }

    @Test
    void encryptedQcow2Fails() throws Exception {
        // crypt_method 1 (AES-CBC) patched in: creating a LUKS image with qemu-img costs seconds of key stretching.
        Path p = qcow2("enc-fail.qcow2", "8M");
        ImageTestFiles.patchInt(p, 32, 1);
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset 32: qcow2 image is encrypted (crypt_method 1); decrypt it with qemu-img"
                + " convert first", e.getMessage());
    }

    @Test
    void overlongBackingChainFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "raw", "l0.img", "1M");
        int layers = ImageLimits.MAX_CHAIN_DEPTH + 1;
        for (int i = 1; i <= layers; i++) {
            run(dir, "qemu-img", "create", "-f", "qcow2", "-b", "l" + (i - 1) + ".img", "-F",
                    i == 1 ? "raw" : "qcow2", "l" + i + ".img");
        }
        Path top = dir.resolve("l" + layers + ".img");
        DiskFormatException e = failOpen(top, DiskFormat.QCOW2, DEFAULT);
        assertEquals(dir.resolve("l1.img") + ": at offset " + ImageTestFiles.readLong(dir.resolve("l1.img"), 8)
                + ": backing chain is longer than 64 images; flatten it with qemu-img convert first", e.getMessage());
        Path ok = dir.resolve("l" + (layers - 1) + ".img");
        try (BlockDevice d = ImageOpener.open(ok, DiskFormat.QCOW2, DEFAULT)) {
            assertEquals(1 << 20, d.size());
        }
    }

    @Test
    void l1TooSmallForTheVirtualSizeFails() throws Exception {
        Path p = qcow2("l1size-fail.qcow2", "8M");
        ImageTestFiles.patchInt(p, 36, 0);
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset 36: qcow2 l1_size 0 is too small for the 8388608-byte virtual size (needs 1)",
                e.getMessage());
    }

    @Test
    void clusterBitsOutOfRangeFails() throws Exception {
        Path p = qcow2("bits-fail.qcow2", "8M");
        ImageTestFiles.patchInt(p, 20, 30);
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset 20: qcow2 cluster_bits 30 is outside 9..21", e.getMessage());
    }

    @Test
    void unknownIncompatibleFeatureIsNamedFromTheFeatureTable() throws Exception {
        Path p = qcow2("named-fail.qcow2", "8M");
        byte[] all = Files.readAllBytes(p);
        byte[] name = "extended L2".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int at = -1;
        for (int i = 0; i < 65536 && at < 0; i++) {
            if (java.util.Arrays.equals(all, i, i + name.length, name, 0, name.length)) {
                at = i;
            }
        }
        assertTrue(at > 2, "qemu-img writes a feature name table");
        ImageTestFiles.patch(p, at - 1, new byte[] {9}); // the entry now describes bit 9
        ImageTestFiles.patchLong(p, 72, 1L << 9);
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset 72: qcow2 incompatible feature bit 9 (extended L2 entries) is not supported",
                e.getMessage());
    }

    @Test
    void truncatedQcowV1HeaderFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "qcow", "v1-fail.qcow", "8M");
        Path p = dir.resolve("v1-fail.qcow");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(40);
        }
        DiskFormatException e = failOpen(p, DiskFormat.QCOW, DEFAULT);
        assertEquals(p + ": at offset 40: qcow header truncated: the file has 40 bytes, the header needs 48",
                e.getMessage());
    }

    @Test
    void qcowV1L1PastEndOfFileFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "qcow", "v1l1-fail.qcow", "8M");
        Path p = dir.resolve("v1l1-fail.qcow");
        ImageTestFiles.patchLong(p, 40, 1L << 40);
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset 40: qcow l1_table_offset 1099511627776 with 4 entries lies past the end of the"
                + " file (" + Files.size(p) + " bytes)", e.getMessage());
    }

    @Test
    void truncatedFixedVhdFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "vpc", "-o", "subformat=fixed", "cut-fail.vhd", "8M");
        Path p = dir.resolve("cut-fail.vhd");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(p) - 4096);
        }
        DiskFormatException e = failOpen(p, DiskFormat.VHD, DEFAULT);
        assertEquals(p + ": at offset " + (Files.size(p) - 512) + ": VHD footer cookie is not 'conectix'; the file is"
                + " not a VHD or its footer is damaged", e.getMessage());
    }

    @Test
    void vhdDynamicHeaderChecksumMismatchFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "vpc", "hdr-fail.vhd", "8M");
        Path p = dir.resolve("hdr-fail.vhd");
        long header = ImageTestFiles.readLong(p, 16);
        ImageTestFiles.patchInt(p, header + 32, 1 << 20);
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertTrue(e.getMessage().startsWith(p + ": at offset " + (header + 36) + ": VHD dynamic header checksum 0x"),
                e.getMessage());
    }

    @Test
    void absurdVhdSizeFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "vpc", "big-fail.vhd", "8M");
        Path p = dir.resolve("big-fail.vhd");
        long footer = Files.size(p) - 512;
        ImageTestFiles.patchLong(p, footer + 48, 1L << 50);
        ImageTestFiles.patchInt(p, footer + 64, 0);
        byte[] f = java.util.Arrays.copyOfRange(Files.readAllBytes(p), (int) footer, (int) footer + 512);
        ImageTestFiles.patchInt(p, footer + 64, VhdDifferencingFixture.checksum(f));
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset " + (footer + 48) + ": VHD current size 1125899906842624 bytes exceeds the"
                + " supported 70368744177664 bytes (64 TiB)", e.getMessage());
    }

    @Test
    void externalDataFileFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "qcow2", "-o", "data_file=data.raw", "ext-data-fail.qcow2", "8M");
        Path p = dir.resolve("ext-data-fail.qcow2");
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertTrue(e.getMessage().startsWith(p + ": at offset "), e.getMessage());
        assertTrue(e.getMessage().contains(": qcow2 external data files are not supported"), e.getMessage());
    }

    @Test
    void zstdCompressionFails() throws Exception {
        run(dir, "qemu-img", "create", "-f", "qcow2", "-o", "compression_type=zstd", "zstd-fail.qcow2", "8M");
        Path p = dir.resolve("zstd-fail.qcow2");
        DiskFormatException e = failOpen(p, DiskFormat.QCOW2, DEFAULT);
        assertEquals(p + ": at offset 104: qcow2 compression zstd is not supported (only zlib); recompress with"
                + " 'qemu-img convert -c -o compression_type=zlib' or convert uncompressed", e.getMessage());
    }

    @Test
    void unsupportedFormatsAreNamed() throws Exception {
        run(dir, "qemu-img", "create", "-f", "vmdk", "disk.vmdk", "8M");
        Path p = dir.resolve("disk.vmdk");
        DiskFormatException e = failOpen(p, null, DEFAULT);
        assertEquals(p + ": at offset 0: image format vmdk is not supported; convert it with"
                + " 'qemu-img convert -O qcow2' first", e.getMessage());
    }
}
