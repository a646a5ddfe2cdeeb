package org.xen2kvm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test generator for differencing VHDs, laid out after the Microsoft VHD specification
 * ("Hard Disk Footer Format", "Dynamic Disk Header Format", "Block Allocation Table and Data
 * Blocks"): footer copy, dynamic header, BAT, parent locator data, blocks (bitmap + data), footer.
 * qemu cannot write differencing VHDs, so the expected content is what this class was told to store.
 */
final class VhdDifferencingFixture {
    static final int SECTOR = 512;
    static final int BLOCK_SIZE = 2 << 20;
    static final int BITMAP_BYTES = 512; // 4096 sectors / 8, one sector

    /** Sector runs the child stores: block index -> (first sector in block -> data). */
    private final Map<Integer, TreeMap<Integer, byte[]>> blocks = new TreeMap<>();
    /** CHS geometry for the footer; take the parent's so tools deriving the size from it agree. */
    int geometry = 0x01001011;
    /** Bytes placed in stored blocks where the bitmap bit is clear: a reader must never return them. */
    static final byte GARBAGE = (byte) 0xee;

    void store(long guestOffset, byte[] data) {
        if (guestOffset % SECTOR != 0 || data.length % SECTOR != 0) {
            throw new IllegalArgumentException("sector-aligned runs only");
        }
        int block = (int) (guestOffset / BLOCK_SIZE);
        int sector = (int) (guestOffset % BLOCK_SIZE / SECTOR);
        if (sector * SECTOR + data.length > BLOCK_SIZE) {
            throw new IllegalArgumentException("one block per run");
        }
        blocks.computeIfAbsent(block, b -> new TreeMap<>()).put(sector, data);
    }

    /** Applies the stored runs to {@code content} (the parent's bytes), giving what the child must read. */
    void overlay(byte[] content) {
        blocks.forEach((block, runs) -> runs.forEach((sector, data) ->
                System.arraycopy(data, 0, content, block * BLOCK_SIZE + sector * SECTOR, data.length)));
    }

    /** The guest ranges the child itself stores. */
    List<Extent> storedExtents() {
        List<Extent> out = new ArrayList<>();
        blocks.forEach((block, runs) -> runs.forEach((sector, data) ->
                out.add(new Extent((long) block * BLOCK_SIZE + (long) sector * SECTOR, data.length))));
        return out;
    }

    /**
     * Writes the child to {@code out}.
     *
     * @param size           virtual size (the parent's current size)
     * @param parentUniqueId the parent footer's unique id
     * @param locators       platform code -> locator bytes (already encoded)
     * @param parentName     the parent's name for the header's Unicode name field
     */
    void write(Path out, long size, byte[] parentUniqueId, Map<Integer, byte[]> locators, String parentName)
            throws IOException {
        int entries = (int) ((size + BLOCK_SIZE - 1) / BLOCK_SIZE);
        long headerAt = SECTOR;
        long batAt = headerAt + 1024;
        long batBytes = roundUp(4L * entries);
        long locAt = batAt + batBytes;
        List<long[]> locatorPlaces = new ArrayList<>();
        long pos = locAt;
        for (byte[] l : locators.values()) {
            locatorPlaces.add(new long[] {pos, l.length});
            pos += roundUp(l.length);
        }
        long firstBlock = pos;
        ByteBuffer file = ByteBuffer.allocate((int) (firstBlock + (long) blocks.size() * (BITMAP_BYTES + BLOCK_SIZE)
                + SECTOR));
        byte[] footer = footer(size, headerAt, geometry);
        file.put(0, footer);

        ByteBuffer h = ByteBuffer.allocate(1024);
        h.put(0, "cxsparse".getBytes(StandardCharsets.US_ASCII));
        h.putLong(8, -1L);
        h.putLong(16, batAt);
        h.putInt(24, 0x00010000);
        h.putInt(28, entries);
        h.putInt(32, BLOCK_SIZE);
        h.put(40, parentUniqueId);
        h.putInt(56, 0x2d000000);
        h.put(64, parentName.getBytes(StandardCharsets.UTF_16BE));
        int i = 0;
        for (Map.Entry<Integer, byte[]> l : locators.entrySet()) {
            int e = 576 + 24 * i;
            h.putInt(e, l.getKey());
            h.putInt(e + 4, (int) (roundUp(l.getValue().length) / SECTOR));
            h.putInt(e + 8, l.getValue().length);
            h.putLong(e + 16, locatorPlaces.get(i)[0]);
            file.put((int) locatorPlaces.get(i)[0], l.getValue());
            i++;
        }
        h.putInt(36, checksum(h.array()));
        file.put((int) headerAt, h.array());

        for (int b = 0; b < entries; b++) {
            file.putInt((int) (batAt + 4L * b), 0xffffffff);
        }
        long blockAt = firstBlock;
        for (Map.Entry<Integer, TreeMap<Integer, byte[]>> blk : blocks.entrySet()) {
            file.putInt((int) (batAt + 4L * blk.getKey()), (int) (blockAt / SECTOR));
            byte[] bitmap = new byte[BITMAP_BYTES];
            byte[] data = new byte[BLOCK_SIZE];
            java.util.Arrays.fill(data, GARBAGE);
            for (Map.Entry<Integer, byte[]> run : blk.getValue().entrySet()) {
                System.arraycopy(run.getValue(), 0, data, run.getKey() * SECTOR, run.getValue().length);
                for (int s = run.getKey(); s < run.getKey() + run.getValue().length / SECTOR; s++) {
                    bitmap[s / 8] |= (byte) (0x80 >>> (s % 8));
                }
            }
            file.put((int) blockAt, bitmap);
            file.put((int) blockAt + BITMAP_BYTES, data);
            blockAt += BITMAP_BYTES + BLOCK_SIZE;
        }
        file.put((int) blockAt, footer);
        Files.write(out, file.array());
    }

    private static byte[] footer(long size, long headerAt, int geometry) {
        ByteBuffer f = ByteBuffer.allocate(SECTOR);
        f.put(0, "conectix".getBytes(StandardCharsets.US_ASCII));
        f.putInt(8, 2);
        f.putInt(12, 0x00010000);
        f.putLong(16, headerAt);
        f.put(28, "tap ".getBytes(StandardCharsets.US_ASCII));
        f.putInt(32, 0x00010003);
        f.putInt(36, 0);
        f.putLong(40, size);
        f.putLong(48, size);
        f.putInt(56, geometry);
        f.putInt(60, 4);
        for (int i = 0; i < 16; i++) {
            f.put(68 + i, (byte) (0x40 + i));
        }
        f.putInt(64, checksum(f.array()));
        return f.array();
    }

    /** One's complement of the byte sum; the checksum field is still zero when this is called. */
    static int checksum(byte[] raw) {
        int sum = 0;
        for (byte b : raw) {
            sum += b & 0xff;
        }
        return ~sum;
    }

    private static long roundUp(long n) {
        return (n + SECTOR - 1) / SECTOR * SECTOR;
    }
}
