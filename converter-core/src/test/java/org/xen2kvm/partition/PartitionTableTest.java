package org.xen2kvm.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.ByteArrayBlockDevice;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.testutil.ExternalTool;

/** Tables written by sfdisk (the real tool) and read back. */
class PartitionTableTest {
    private static Path image(Path dir, String script, long size) throws Exception {
        Path img = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(size);
        }
        Path s = dir.resolve("layout.sfdisk");
        Files.writeString(s, script);
        ExternalTool.Result r = ExternalTool.run(List.of("sh", "-c", "sfdisk --no-reread --no-tell-kernel -q "
                + img + " < " + s));
        assertEquals(0, r.exitCode(), r.output());
        return img;
    }

    @Test
    void readsPrimaryAndLogicalMbrPartitions(@TempDir Path dir) throws Exception {
        ExternalTool.require("sfdisk");
        Path img = image(dir, "label: dos\nstart=2048, size=20480, type=83, bootable\nstart=22528, size=8192, type=82\n"
                + "start=30720, type=5\nstart=32768, size=4096, type=83\nstart=38912, size=4096, type=8e\n", 32L << 20);
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img)) {
            PartitionTable t = PartitionTable.read(dev).orElseThrow();
            assertEquals("mbr", t.scheme());
            assertFalse(t.hasBootCode());
            List<Partition> p = t.partitions();
            assertEquals(List.of(1, 2, 5, 6), p.stream().map(Partition::number).toList());
            assertEquals(new Partition(1, 0x83, null, 2048L * 512, 20480L * 512, true), p.get(0));
            assertTrue(p.get(1).isLinuxSwap());
            assertEquals(32768L * 512, p.get(2).offset());
            assertTrue(p.get(3).isLvm());
            assertEquals(38912L * 512, p.get(3).offset());
        }
    }

    @Test
    void readsGpt(@TempDir Path dir) throws Exception {
        ExternalTool.require("sfdisk");
        Path img = image(dir, "label: gpt\nstart=2048, size=8192, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
                + "start=10240, size=4096, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F\n", 16L << 20);
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img)) {
            PartitionTable t = PartitionTable.read(dev).orElseThrow();
            assertEquals("gpt", t.scheme());
            assertEquals(2, t.partitions().size());
            assertEquals("0fc63daf-8483-4772-8e79-3d69d8477de4", t.partitions().get(0).typeGuid());
            assertEquals(2048L * 512, t.partitions().get(0).offset());
            assertTrue(t.partitions().get(1).isLinuxSwap());
        }
    }

    @Test
    void aBareFilesystemHasNoTable() throws Exception {
        assertTrue(PartitionTable.read(new ByteArrayBlockDevice(4096)).isEmpty());
    }

    @Test
    void partitionsOutsideTheDiskAndLoopingChainsFailClearly() throws Exception {
        byte[] mbr = new byte[1 << 20];
        ByteBuffer b = ByteBuffer.wrap(mbr).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(510, (short) 0xAA55);
        b.put(446 + 4, (byte) 0x83).putInt(446 + 8, 2048).putInt(446 + 12, 1 << 20);
        PartitionTableException e = assertThrows(PartitionTableException.class,
                () -> PartitionTable.read(new ByteArrayBlockDevice(mbr, "bad.img")));
        assertEquals("bad.img: partition 1 at byte 1048576 with 536870912 bytes lies outside the disk of 1048576 bytes",
                e.getMessage());

        // An extended partition whose first EBR links back to itself.
        byte[] ext = new byte[1 << 20];
        ByteBuffer x = ByteBuffer.wrap(ext).order(ByteOrder.LITTLE_ENDIAN);
        x.putShort(510, (short) 0xAA55);
        x.put(446 + 4, (byte) 0x05).putInt(446 + 8, 1).putInt(446 + 12, 2000);
        x.putShort(512 + 510, (short) 0xAA55);
        x.put(512 + 446 + 4, (byte) 0x83).putInt(512 + 446 + 8, 1).putInt(512 + 446 + 12, 1);
        x.put(512 + 462 + 4, (byte) 0x05).putInt(512 + 462 + 8, 0x7FFFFFFF);
        PartitionTableException loop = assertThrows(PartitionTableException.class,
                () -> PartitionTable.read(new ByteArrayBlockDevice(ext, "loop.img")));
        assertTrue(loop.getMessage().startsWith("loop.img: extended boot record of partition 6"), loop.getMessage());
    }
}
