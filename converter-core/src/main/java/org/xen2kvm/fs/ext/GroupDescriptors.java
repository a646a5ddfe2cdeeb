package org.xen2kvm.fs.ext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.fs.FileSystemException;

/**
 * The block group descriptor table (Documentation/filesystems/ext4/group_descr.rst), held in
 * memory; the writer changes counters here and {@link #flush} writes back the dirty blocks of
 * the primary copy with fresh checksums.
 */
final class GroupDescriptors {
    static final int BG_BLOCK_BITMAP_LO = 0x0;
    static final int BG_INODE_BITMAP_LO = 0x4;
    static final int BG_INODE_TABLE_LO = 0x8;
    static final int BG_FREE_BLOCKS_COUNT_LO = 0xC;
    static final int BG_FREE_INODES_COUNT_LO = 0xE;
    static final int BG_USED_DIRS_COUNT_LO = 0x10;
    static final int BG_FLAGS = 0x12;
    static final int BG_BLOCK_BITMAP_CSUM_LO = 0x18;
    static final int BG_INODE_BITMAP_CSUM_LO = 0x1A;
    static final int BG_ITABLE_UNUSED_LO = 0x1C;
    static final int BG_CHECKSUM = 0x1E;
    static final int BG_BLOCK_BITMAP_HI = 0x20;
    static final int BG_INODE_BITMAP_HI = 0x24;
    static final int BG_INODE_TABLE_HI = 0x28;
    static final int BG_FREE_BLOCKS_COUNT_HI = 0x2C;
    static final int BG_FREE_INODES_COUNT_HI = 0x2E;
    static final int BG_USED_DIRS_COUNT_HI = 0x30;
    static final int BG_ITABLE_UNUSED_HI = 0x32;
    static final int BG_BLOCK_BITMAP_CSUM_HI = 0x38;
    static final int BG_INODE_BITMAP_CSUM_HI = 0x3A;
    /** bg_flags bits. */
    static final int INODE_UNINIT = 0x1;
    static final int BLOCK_UNINIT = 0x2;
    static final int ITABLE_ZEROED = 0x4;
    /** A hostile s_blocks_per_group could make the table huge; real tables are far smaller. */
    static final long MAX_TABLE_BYTES = 64L << 20;

    private final Superblock sb;
    private final BlockDevice dev;
    private final byte[] table;
    private final long[] tableBlocks;
    private final BitSet dirtyBlocks = new BitSet();
    private final int perBlock;

    GroupDescriptors(Superblock sb, BlockDevice dev) throws IOException {
        this.sb = sb;
        this.dev = dev;
        long bytes = Math.multiplyExact(sb.groupCount, (long) sb.descSize);
        if (bytes > MAX_TABLE_BYTES) {
            throw new FileSystemException(sb.where + ": group descriptor table of " + sb.groupCount
                    + " groups needs " + bytes + " bytes, over the limit of " + MAX_TABLE_BYTES + " (corrupt s_blocks_per_group?)");
        }
        perBlock = sb.blockSize / sb.descSize;
        int nBlocks = (int) ((sb.groupCount + perBlock - 1) / perBlock);
        table = new byte[nBlocks * sb.blockSize];
        tableBlocks = new long[nBlocks];
        for (int i = 0; i < nBlocks; i++) {
            tableBlocks[i] = locate(i);
            if (tableBlocks[i] >= sb.blocksCount) {
                throw new FileSystemException(sb.where + ": group descriptor block " + i + " lies at block "
                        + tableBlocks[i] + ", past the end of the filesystem (" + sb.blocksCount + " blocks)");
            }
            dev.read(tableBlocks[i] * sb.blockSize, ByteBuffer.wrap(table, i * sb.blockSize, sb.blockSize));
        }
        for (long g = 0; g < sb.groupCount; g++) {
            validate(g);
        }
    }

    /** Where descriptor block {@code i} lives: contiguous after the superblock, or per meta group. */
    private long locate(int i) {
        long first = sb.firstDataBlock + 1;
        if (!sb.has(ExtFeatures.INCOMPAT_META_BG) || i < sb.firstMetaBg()) {
            return first + i;
        }
        long group = (long) i * perBlock;
        long start = sb.firstDataBlock + group * sb.blocksPerGroup;
        return start + (sb.hasSuperBackup(group) ? 1 : 0);
    }

    private void validate(long g) throws FileSystemException {
        long itableBlocks = itableBlocks();
        check(g, "bg_block_bitmap", blockBitmap(g), 1);
        check(g, "bg_inode_bitmap", inodeBitmap(g), 1);
        check(g, "bg_inode_table", inodeTable(g), itableBlocks);
        if (sb.groupDescCsum()) {
            int stored = Le.u16(table, off(g) + BG_CHECKSUM);
            int computed = checksum(g);
            if (stored != computed) {
                throw new FileSystemException(sb.where + ": group descriptor " + g + " field bg_checksum is 0x"
                        + Integer.toHexString(stored) + ", computed 0x" + Integer.toHexString(computed) + "; run e2fsck");
            }
        }
    }

    private void check(long g, String field, long block, long count) throws FileSystemException {
        if (block < sb.firstDataBlock || block > sb.blocksCount - count) {
            throw new FileSystemException(sb.where + ": group descriptor " + g + " field " + field + " points to block "
                    + block + ", outside the filesystem of " + sb.blocksCount + " blocks; run e2fsck");
        }
    }

    long itableBlocks() {
        return (sb.inodesPerGroup * sb.inodeSize + sb.blockSize - 1) / sb.blockSize;
    }

    private int off(long g) {
        return (int) (g * sb.descSize);
    }

    private long get(long g, int lo, int hi, boolean wide32) {
        int o = off(g);
        long v = wide32 ? Le.u32(table, o + lo) : Le.u16(table, o + lo);
        if (sb.descSize >= Superblock.DESC_SIZE_64) {
            long h = wide32 ? Le.u32(table, o + hi) : Le.u16(table, o + hi);
            v |= h << (wide32 ? 32 : 16);
        }
        return v;
    }

    private void set16(long g, int lo, int hi, long v) {
        int o = off(g);
        Le.put16(table, o + lo, (int) v);
        if (sb.descSize >= Superblock.DESC_SIZE_64) {
            Le.put16(table, o + hi, (int) (v >>> 16));
        }
        markDirty(g);
    }

    private void markDirty(long g) {
        dirtyBlocks.set((int) (g / perBlock));
    }

    long blockBitmap(long g) {
        return get(g, BG_BLOCK_BITMAP_LO, BG_BLOCK_BITMAP_HI, true);
    }

    long inodeBitmap(long g) {
        return get(g, BG_INODE_BITMAP_LO, BG_INODE_BITMAP_HI, true);
    }

    long inodeTable(long g) {
        return get(g, BG_INODE_TABLE_LO, BG_INODE_TABLE_HI, true);
    }

    long freeBlocks(long g) {
        return get(g, BG_FREE_BLOCKS_COUNT_LO, BG_FREE_BLOCKS_COUNT_HI, false);
    }

    void setFreeBlocks(long g, long v) {
        set16(g, BG_FREE_BLOCKS_COUNT_LO, BG_FREE_BLOCKS_COUNT_HI, v);
    }

    long freeInodes(long g) {
        return get(g, BG_FREE_INODES_COUNT_LO, BG_FREE_INODES_COUNT_HI, false);
    }

    void setFreeInodes(long g, long v) {
        set16(g, BG_FREE_INODES_COUNT_LO, BG_FREE_INODES_COUNT_HI, v);
    }

    long usedDirs(long g) {
        return get(g, BG_USED_DIRS_COUNT_LO, BG_USED_DIRS_COUNT_HI, false);
    }

    void setUsedDirs(long g, long v) {
        set16(g, BG_USED_DIRS_COUNT_LO, BG_USED_DIRS_COUNT_HI, v);
    }

    long itableUnused(long g) {
        return get(g, BG_ITABLE_UNUSED_LO, BG_ITABLE_UNUSED_HI, false);
    }

    void setItableUnused(long g, long v) {
        set16(g, BG_ITABLE_UNUSED_LO, BG_ITABLE_UNUSED_HI, v);
    }

    /** Flags only mean something when descriptors are checksummed (uninit_bg / metadata_csum). */
    int flags(long g) {
        return sb.groupDescCsum() ? Le.u16(table, off(g) + BG_FLAGS) : 0;
    }

    void setFlags(long g, int flags) {
        Le.put16(table, off(g) + BG_FLAGS, flags);
        markDirty(g);
    }

    long blockBitmapChecksum(long g) {
        return get(g, BG_BLOCK_BITMAP_CSUM_LO, BG_BLOCK_BITMAP_CSUM_HI, false);
    }

    long inodeBitmapChecksum(long g) {
        return get(g, BG_INODE_BITMAP_CSUM_LO, BG_INODE_BITMAP_CSUM_HI, false);
    }

    void setBlockBitmapChecksum(long g, int crc) {
        set16(g, BG_BLOCK_BITMAP_CSUM_LO, BG_BLOCK_BITMAP_CSUM_HI, crc & 0xFFFFFFFFL);
    }

    void setInodeBitmapChecksum(long g, int crc) {
        set16(g, BG_INODE_BITMAP_CSUM_LO, BG_INODE_BITMAP_CSUM_HI, crc & 0xFFFFFFFFL);
    }

    int checksum(long g) {
        int o = off(g);
        if (sb.metadataCsum()) {
            int crc = Crc32c.updateInt(sb.csumSeed, (int) g);
            crc = Crc32c.update(crc, table, o, BG_CHECKSUM);
            crc = Crc32c.update(crc, new byte[2], 0, 2);
            crc = Crc32c.update(crc, table, o + BG_CHECKSUM + 2, sb.descSize - BG_CHECKSUM - 2);
            return crc & 0xFFFF;
        }
        int crc = Crc16.update(0xFFFF, sb.raw, Superblock.S_UUID, 16);
        byte[] gn = new byte[4];
        Le.put32(gn, 0, g);
        crc = Crc16.update(crc, gn, 0, 4);
        crc = Crc16.update(crc, table, o, BG_CHECKSUM);
        if (sb.descSize > BG_CHECKSUM + 2) {
            crc = Crc16.update(crc, table, o + BG_CHECKSUM + 2, sb.descSize - BG_CHECKSUM - 2);
        }
        return crc;
    }

    /** Does any group's bitmap or inode table (other than metadata of {@code g} itself) sit in [start, end)? */
    void markMetadataIn(long start, long end, BitSet used) {
        long it = itableBlocks();
        for (long g = 0; g < sb.groupCount; g++) {
            markRange(blockBitmap(g), 1, start, end, used);
            markRange(inodeBitmap(g), 1, start, end, used);
            markRange(inodeTable(g), it, start, end, used);
        }
    }

    private static void markRange(long b, long n, long start, long end, BitSet used) {
        for (long x = Math.max(b, start); x < Math.min(b + n, end); x++) {
            used.set((int) (x - start));
        }
    }

    /** Group descriptor blocks stored in {@code group} (its copy of the table), for BLOCK_UNINIT bitmaps. */
    long descriptorBlocksIn(long group) {
        if (!sb.hasSuperBackup(group) && !sb.has(ExtFeatures.INCOMPAT_META_BG)) {
            return 0;
        }
        if (!sb.has(ExtFeatures.INCOMPAT_META_BG)) {
            return tableBlocks.length + sb.reservedGdtBlocks();
        }
        long metaGroupIndex = group % perBlock;
        long blockIndex = group / perBlock;
        long n = 0;
        if (sb.hasSuperBackup(group)) {
            n += Math.min(sb.firstMetaBg(), tableBlocks.length) + sb.reservedGdtBlocks();
        }
        if (blockIndex >= sb.firstMetaBg() && (metaGroupIndex == 0 || metaGroupIndex == 1 || metaGroupIndex == perBlock - 1)) {
            n += 1;
        }
        return n;
    }

    void flush() throws IOException {
        for (int i = dirtyBlocks.nextSetBit(0); i >= 0; i = dirtyBlocks.nextSetBit(i + 1)) {
            long firstGroup = (long) i * perBlock;
            for (long g = firstGroup; g < Math.min(firstGroup + perBlock, sb.groupCount); g++) {
                if (sb.groupDescCsum()) {
                    Le.put16(table, off(g) + BG_CHECKSUM, checksum(g));
                }
            }
            dev.write(tableBlocks[i] * sb.blockSize, ByteBuffer.wrap(table, i * sb.blockSize, sb.blockSize));
        }
        dirtyBlocks.clear();
    }
}
