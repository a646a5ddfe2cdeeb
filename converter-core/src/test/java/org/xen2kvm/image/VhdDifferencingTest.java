package org.xen2kvm.image;

import org.xen2kvm.image.open.ImageOpener;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xen2kvm.image.QemuOracle.io;
import static org.xen2kvm.image.QemuOracle.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.DiskFormat;

/** Differencing VHDs (as XenServer keeps snapshot chains) over a dynamic parent written by qemu-img. */
class VhdDifferencingTest {
    private static final int W2RU = 0x57327275;
    private static final int W2KU = 0x57326b75;
    private static final int MACX = 0x4d616358;

    @TempDir
    Path dir;

    private byte[] parentContent;
    private byte[] parentId;
    private long size;
    private int geometry;

    @BeforeEach
    void parent() throws Exception {
        QemuOracle.requireQemu();
        run(dir, "qemu-img", "create", "-f", "raw", "p.raw", "8M");
        io(dir.resolve("p.raw"), "raw", "write -P 0x11 0 1M", "write -P 0x12 5M 64k");
        run(dir, "qemu-img", "convert", "-O", "vpc", "-o", "subformat=dynamic", "p.raw", "parent.vhd");
        Path parent = dir.resolve("parent.vhd");
        long footer = Files.size(parent) - 512;
        byte[] all = Files.readAllBytes(parent);
        parentId = Arrays.copyOfRange(all, (int) footer + 68, (int) footer + 84);
        size = ImageTestFiles.readLong(parent, footer + 48);
        geometry = ImageTestFiles.readInt(parent, footer + 56);
        parentContent = Files.readAllBytes(QemuOracle.toRaw(parent, "vpc"));
    }

    private VhdDifferencingFixture childWithData() {
        VhdDifferencingFixture child = new VhdDifferencingFixture();
        child.geometry = geometry;
        child.store(0, filled(8 * 512, 0xd1));           // over parent data, first sectors of block 0
        child.store(100 * 512, filled(3 * 512, 0xd2));   // inside block 0, parent data around it
        child.store(3L * 2097152 + 4096, filled(2097152 - 4096, 0xd3)); // block 3 tail, parent hole
        return child;
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private static byte[] utf16le(String s) {
        return s.getBytes(StandardCharsets.UTF_16LE);
    }

    @Test
    void readsThroughToTheParentWhereBitmapBitsAreClear() throws Exception {
        VhdDifferencingFixture child = childWithData();
        Map<Integer, byte[]> loc = new LinkedHashMap<>();
        loc.put(W2KU, utf16le(dir.resolve("parent.vhd").toString()));
        loc.put(W2RU, utf16le(".\\parent.vhd"));
        Path img = dir.resolve("child.vhd");
        child.write(img, size, parentId, loc, "parent.vhd");

        byte[] expected = parentContent.clone();
        child.overlay(expected);
        try (BlockDevice dev = ImageOpener.open(img, null, ImageOpener.OpenOptions.DEFAULT)) {
            assertEquals(size, dev.size());
            assertArrayEquals(expected, dev.readBytes(0, (int) size));
            for (int off = 0; off < size - 70000; off += 65537) {
                assertArrayEquals(Arrays.copyOfRange(expected, off, off + 70000), dev.readBytes(off, 70000));
            }
            List<Extent> want = new ArrayList<>();
            List<Extent> all = new ArrayList<>(QemuOracle.dataExtents(dir.resolve("parent.vhd"), "vpc"));
            all.addAll(child.storedExtents());
            all.sort((a, b) -> Long.compare(a.offset(), b.offset()));
            for (Extent e : all) {
                Extents.append(want, e.offset(), e.length());
            }
            assertEquals(want, dev.allocatedExtents());
        }
        ImageInfo info = ImageOpener.inspect(img, DiskFormat.VHD, ImageOpener.OpenOptions.DEFAULT);
        assertEquals("differencing", info.details().get("vhd type"));
        assertEquals(dir.resolve("parent.vhd"), info.backingChain().get(0).path());
        assertEquals("dynamic", info.backingChain().get(0).details().get("vhd type"));
    }

    @Test
    void findsTheParentThroughAMacxFileUrl() throws Exception {
        Map<Integer, byte[]> loc = Map.of(MACX, "file://./parent.vhd".getBytes(StandardCharsets.UTF_8));
        Path img = dir.resolve("child.vhd");
        childWithData().write(img, size, parentId, loc, "");
        try (BlockDevice dev = ImageOpener.open(img, DiskFormat.VHD, ImageOpener.OpenOptions.DEFAULT)) {
            assertEquals(0x11, dev.readBytes(200 * 512, 1)[0]);
        }
    }

    @Test
    void qemuAcceptsTheLayoutWhenReadAsDynamic() throws Exception {
        // qemu cannot open differencing disks; with the type switched to dynamic it checks our layout.
        Path img = dir.resolve("child.vhd");
        childWithData().write(img, size, parentId, Map.of(W2RU, utf16le(".\\parent.vhd")), "parent.vhd");
        long footer = Files.size(img) - 512;
        for (long at : new long[] {0, footer}) {
            ImageTestFiles.patchInt(img, at + 60, 3);
            ImageTestFiles.patchInt(img, at + 64, 0);
            byte[] f = Arrays.copyOfRange(Files.readAllBytes(img), (int) at, (int) at + 512);
            ImageTestFiles.patchInt(img, at + 64, VhdDifferencingFixture.checksum(f));
        }
        String info = run(dir, "qemu-img", "info", "-f", "vpc", "child.vhd");
        assertTrue(info.contains("virtual size: 8 MiB (" + size + " bytes)"), info);
        byte[] raw = Files.readAllBytes(QemuOracle.toRaw(img, "vpc"));
        assertEquals((byte) 0xd1, raw[0]);
        assertEquals((byte) 0xd3, raw[3 * 2097152 + 4096]);
    }

    @Test
    void parentUniqueIdMismatchFails() throws Exception {
        byte[] wrong = parentId.clone();
        wrong[0] ^= 1;
        Path img = dir.resolve("stale-fail.vhd");
        childWithData().write(img, size, wrong, Map.of(W2RU, utf16le("parent.vhd")), "parent.vhd");
        DiskFormatException e = assertThrows(DiskFormatException.class,
                () -> ImageOpener.open(img, DiskFormat.VHD, ImageOpener.OpenOptions.DEFAULT));
        assertTrue(e.getMessage().startsWith(img + ": at offset 552: differencing VHD expects parent unique id "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; the parent was replaced or modified"), e.getMessage());
    }

    @Test
    void missingParentNamesTheLocatorOffset() throws Exception {
        Path img = dir.resolve("orphan-fail.vhd");
        childWithData().write(img, size, parentId, Map.of(W2RU, utf16le(".\\gone.vhd")), "");
        DiskFormatException e = assertThrows(DiskFormatException.class,
                () -> ImageOpener.open(img, DiskFormat.VHD, ImageOpener.OpenOptions.DEFAULT));
        assertEquals(img + ": at offset 1088: backing file '.\\gone.vhd' not found (looked for ["
                + dir.resolve("gone.vhd") + "])", e.getMessage());
    }
}
