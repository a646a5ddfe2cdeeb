package org.xen2kvm.fs.ext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.fs.FileSystemException;

/**
 * Block and inode level access to one ext2/3/4 filesystem: block I/O with range checks,
 * the inode table, and the block and inode bitmaps with the allocator that keeps group
 * descriptor and superblock counters in step.
 */
final class ExtVolume {
    final BlockDevice dev;
    final Superblock sb;
    final GroupDescriptors gd;
    final int bs;
    private final Map<Long, byte[]> blockBitmaps = new HashMap<>();
    private final Map<Long, byte[]> inodeBitmaps = new HashMap<>();
    private final BitSet dirtyBlockBitmaps = new BitSet();
    private final BitSet dirtyInodeBitmaps = new BitSet();
    private boolean sbDirty;

    ExtVolume(BlockDevice dev, Superblock sb, GroupDescriptors gd) {
        this.dev = dev;
        this.sb = sb;
        this.gd = gd;
        this.bs = sb.blockSize;
    }

    /**
     * Makes the superblock free counts the sum of the group counts, as the kernel does at
     * mount: the superblock copy is allowed to lag behind on a running system.
     */
    void syncSuperblockCounters() {
        long blocks = 0;
        long inodes = 0;
        for (long g = 0; g < sb.groupCount; g++) {
            blocks += gd.freeBlocks(g);
            inodes += gd.freeInodes(g);
        }
        if (blocks != sb.freeBlocks() || inodes != sb.freeInodes()) {
            sb.setFreeBlocks(blocks);
            sb.setFreeInodes(inodes);
            sbDirty = true;
        }
    }

    String where() {
        return sb.where;
    }

    boolean is64() {
        return sb.has(ExtFeatures.INCOMPAT_64BIT);
    }

    void checkBlock(long block, String what) throws FileSystemException {
        if (block < sb.firstDataBlock || block >= sb.blocksCount) {
            throw new FileSystemException(where() + ": " + what + " points to block " + block
                    + ", outside the filesystem of " + sb.blocksCount + " blocks; run e2fsck");
        }
    }

    byte[] readBlock(long block, String what) throws IOException {
        checkBlock(block, what);
        byte[] b = new byte[bs];
        dev.read(block * bs, ByteBuffer.wrap(b));
        return b;
    }

    void writeBlock(long block, byte[] data) throws IOException {
        if (block < sb.firstDataBlock || block >= sb.blocksCount || data.length != bs) {
            throw new IllegalStateException("internal error: write of block " + block);
        }
        dev.write(block * bs, ByteBuffer.wrap(data));
    }

    // ---- inodes ----

    private long inodeOffset(long ino) throws FileSystemException {
        if (ino < 1 || ino > sb.inodesCount) {
            throw new FileSystemException(where() + ": inode number " + ino + " is outside 1.." + sb.inodesCount + "; run e2fsck");
        }
        long g = (ino - 1) / sb.inodesPerGroup;
        long idx = (ino - 1) % sb.inodesPerGroup;
        return gd.inodeTable(g) * bs + idx * sb.inodeSize;
    }

    Inode readInode(long ino) throws IOException {
        byte[] raw = new byte[sb.inodeSize];
        dev.read(inodeOffset(ino), ByteBuffer.wrap(raw));
        Inode inode = new Inode(ino, raw);
        if (sb.inodeSize > Superblock.GOOD_OLD_INODE_SIZE) {
            int extra = Le.u16(raw, Inode.I_EXTRA_ISIZE);
            if (extra > sb.inodeSize - Superblock.GOOD_OLD_INODE_SIZE || extra % 4 != 0) {
                throw new FileSystemException(where() + ": inode " + ino + " field i_extra_isize is " + extra
                        + ", over the " + (sb.inodeSize - Superblock.GOOD_OLD_INODE_SIZE) + " bytes available; run e2fsck");
            }
        }
        if (sb.metadataCsum() && !inode.checksumMatches(sb.csumSeed)) {
            throw new FileSystemException(where() + ": inode " + ino + " field i_checksum does not match its contents"
                    + " (metadata_csum); run e2fsck");
        }
        return inode;
    }

    void writeInode(Inode inode) throws IOException {
        if (sb.metadataCsum()) {
            inode.seal(sb.csumSeed);
        }
        dev.write(inodeOffset(inode.number), ByteBuffer.wrap(inode.raw));
    }

    /** i_blocks counts 512-byte sectors (inodes.rst, i_blocks_lo). */
    static final int SECTOR_SIZE = 512;

    int sectorsPerBlock() {
        return bs / SECTOR_SIZE;
    }

    /** i_blocks in 512-byte sectors, honouring huge_file. */
    long sectors(Inode inode) {
        boolean huge = sb.hasRo(ExtFeatures.RO_HUGE_FILE);
        long v = inode.blocksRaw(huge);
        return huge && inode.hasFlag(Inode.FL_HUGE_FILE) ? v * sectorsPerBlock() : v;
    }

    void setSectors(Inode inode, long sectors) throws FileSystemException {
        long max = sb.hasRo(ExtFeatures.RO_HUGE_FILE) ? (1L << 48) - 1 : 0xFFFFFFFFL;
        if (sectors > max) {
            throw new FileSystemException(where() + ": inode " + inode.number + " would need " + sectors + " sectors, over i_blocks");
        }
        inode.setFlags(inode.flags() & ~Inode.FL_HUGE_FILE);
        inode.setBlocksRaw(sectors);
    }

    // ---- bitmaps ----

    long groupStart(long g) {
        return sb.firstDataBlock + g * sb.blocksPerGroup;
    }

    long blocksInGroup(long g) {
        return Math.min(sb.blocksPerGroup, sb.blocksCount - groupStart(g));
    }

    private byte[] blockBitmap(long g) throws IOException {
        byte[] bm = blockBitmaps.get(g);
        if (bm != null) {
            return bm;
        }
        if ((gd.flags(g) & GroupDescriptors.BLOCK_UNINIT) != 0) {
            bm = uninitBlockBitmap(g);
        } else {
            bm = readBlock(gd.blockBitmap(g), "group " + g + " bg_block_bitmap");
            if (sb.metadataCsum()) {
                verifyBitmap(g, "block", bm, (int) (sb.blocksPerGroup / 8), gd.blockBitmapChecksum(g));
            }
        }
        blockBitmaps.put(g, bm);
        return bm;
    }

    /** Rebuilds the bitmap of a BLOCK_UNINIT group: only its own metadata is in use. */
    private byte[] uninitBlockBitmap(long g) throws FileSystemException {
        BitSet used = new BitSet();
        long start = groupStart(g);
        long n = blocksInGroup(g);
        long meta = (sb.hasSuperBackup(g) ? 1 : 0) + gd.descriptorBlocksIn(g);
        used.set(0, (int) Math.min(meta, n));
        gd.markMetadataIn(start, start + n, used);
        long free = n - used.cardinality();
        if (free != gd.freeBlocks(g)) {
            throw new FileSystemException(where() + ": group " + g + " is BLOCK_UNINIT with bg_free_blocks_count "
                    + gd.freeBlocks(g) + " but its metadata leaves " + free + " free; run e2fsck");
        }
        byte[] bm = new byte[bs];
        for (int i = used.nextSetBit(0); i >= 0; i = used.nextSetBit(i + 1)) {
            bm[i >>> 3] |= (byte) (1 << (i & 7));
        }
        for (long i = n; i < 8L * bs; i++) {
            bm[(int) (i >>> 3)] |= (byte) (1 << (i & 7));
        }
        return bm;
    }

    private byte[] inodeBitmap(long g) throws IOException {
        byte[] bm = inodeBitmaps.get(g);
        if (bm != null) {
            return bm;
        }
        if ((gd.flags(g) & GroupDescriptors.INODE_UNINIT) != 0) {
            bm = new byte[bs];
            for (long i = sb.inodesPerGroup; i < 8L * bs; i++) {
                bm[(int) (i >>> 3)] |= (byte) (1 << (i & 7));
            }
        } else {
            bm = readBlock(gd.inodeBitmap(g), "group " + g + " bg_inode_bitmap");
            if (sb.metadataCsum()) {
                verifyBitmap(g, "inode", bm, (int) (sb.inodesPerGroup / 8), gd.inodeBitmapChecksum(g));
            }
        }
        inodeBitmaps.put(g, bm);
        return bm;
    }

    private void verifyBitmap(long g, String kind, byte[] bm, int bytes, long stored) throws FileSystemException {
        long crc = Crc32c.update(sb.csumSeed, bm, 0, bytes) & 0xFFFFFFFFL;
        if (sb.descSize < Superblock.DESC_SIZE_64) {
            crc &= 0xFFFF;
        }
        if (crc != stored) {
            throw new FileSystemException(where() + ": group " + g + " " + kind + " bitmap checksum 0x" + Long.toHexString(stored)
                    + " does not match computed 0x" + Long.toHexString(crc) + "; run e2fsck");
        }
    }

    private static boolean bit(byte[] bm, long i) {
        return (bm[(int) (i >>> 3)] & (1 << (i & 7))) != 0;
    }

    private static void setBit(byte[] bm, long i, boolean v) {
        if (v) {
            bm[(int) (i >>> 3)] |= (byte) (1 << (i & 7));
        } else {
            bm[(int) (i >>> 3)] &= (byte) ~(1 << (i & 7));
        }
    }

    private void touchBlockBitmap(long g) {
        dirtyBlockBitmaps.set((int) g);
        int f = gd.flags(g);
        if ((f & GroupDescriptors.BLOCK_UNINIT) != 0) {
            gd.setFlags(g, f & ~GroupDescriptors.BLOCK_UNINIT);
        }
    }

    /**
     * Allocates {@code count} blocks, contiguous where possible, searching from {@code goal}.
     * Groups whose bitmaps are still uninitialised are used only when the rest is full.
     */
    List<Run> allocateBlocks(long goal, long count) throws IOException {
        if (count > sb.freeBlocks()) {
            throw new FileSystemException(where() + ": no space: need " + count + " blocks, " + sb.freeBlocks() + " free");
        }
        List<Run> out = new ArrayList<>();
        long remaining = count;
        long startGroup = goal >= sb.firstDataBlock && goal < sb.blocksCount ? (goal - sb.firstDataBlock) / sb.blocksPerGroup : 0;
        // Pass 0: a single run large enough; pass 1: any free blocks; uninit groups last.
        for (int pass = 0; pass < 4 && remaining > 0; pass++) {
            boolean wholeRun = pass % 2 == 0;
            boolean allowUninit = pass >= 2;
            for (long k = 0; k < sb.groupCount && remaining > 0; k++) {
                long g = (startGroup + k) % sb.groupCount;
                if (gd.freeBlocks(g) == 0 || (wholeRun && gd.freeBlocks(g) < remaining)) {
                    continue;
                }
                if (!allowUninit && (gd.flags(g) & GroupDescriptors.BLOCK_UNINIT) != 0) {
                    continue;
                }
                remaining -= allocateInGroup(g, remaining, wholeRun, out);
            }
        }
        if (remaining > 0) {
            freeRuns(out);
            throw new FileSystemException(where() + ": no space: " + remaining + " of " + count + " blocks could not be allocated");
        }
        return out;
    }

    private long allocateInGroup(long g, long want, boolean wholeRun, List<Run> out) throws IOException {
        byte[] bm = blockBitmap(g);
        long n = blocksInGroup(g);
        long got = 0;
        long i = 0;
        while (i < n && got < want) {
            if (bit(bm, i)) {
                i++;
                continue;
            }
            long j = i;
            while (j < n && !bit(bm, j) && j - i < want - got) {
                j++;
            }
            if (!wholeRun || j - i >= want) {
                for (long x = i; x < j; x++) {
                    setBit(bm, x, true);
                }
                out.add(new Run(0, groupStart(g) + i, j - i, false));
                got += j - i;
            }
            i = j;
        }
        if (got > 0) {
            touchBlockBitmap(g);
            gd.setFreeBlocks(g, gd.freeBlocks(g) - got);
            sb.setFreeBlocks(sb.freeBlocks() - got);
            sbDirty = true;
        }
        return got;
    }

    void freeRuns(List<Run> runs) throws IOException {
        for (Run r : runs) {
            freeBlocks(r.physical(), r.length());
        }
    }

    void freeBlocks(long start, long len) throws IOException {
        for (long b = start; b < start + len; b++) {
            checkBlock(b, "block being freed");
            long g = (b - sb.firstDataBlock) / sb.blocksPerGroup;
            long i = (b - sb.firstDataBlock) % sb.blocksPerGroup;
            byte[] bm = blockBitmap(g);
            if (!bit(bm, i)) {
                throw new FileSystemException(where() + ": block " + b + " is being freed but is already free in the bitmap of group " + g + "; run e2fsck");
            }
            setBit(bm, i, false);
            touchBlockBitmap(g);
            gd.setFreeBlocks(g, gd.freeBlocks(g) + 1);
            sb.setFreeBlocks(sb.freeBlocks() + 1);
            sbDirty = true;
        }
    }

    /** Allocates an inode, preferring {@code goalGroup}; returns its number. */
    long allocateInode(long goalGroup, boolean dir) throws IOException {
        if (sb.freeInodes() == 0) {
            throw new FileSystemException(where() + ": no free inodes");
        }
        for (int pass = 0; pass < 2; pass++) {
            for (long k = 0; k < sb.groupCount; k++) {
                long g = (goalGroup + k) % sb.groupCount;
                if (gd.freeInodes(g) == 0 || (pass == 0 && (gd.flags(g) & GroupDescriptors.INODE_UNINIT) != 0)) {
                    continue;
                }
                byte[] bm = inodeBitmap(g);
                for (long i = 0; i < sb.inodesPerGroup; i++) {
                    long ino = g * sb.inodesPerGroup + i + 1;
                    if (bit(bm, i) || ino < sb.firstIno) {
                        continue;
                    }
                    claimInode(g, i, bm, dir);
                    return ino;
                }
            }
        }
        throw new FileSystemException(where() + ": no free inode found although s_free_inodes_count is " + sb.freeInodes() + "; run e2fsck");
    }

    private void claimInode(long g, long i, byte[] bm, boolean dir) throws IOException {
        // The kernel initialises a group's block bitmap before it hands out inodes there.
        blockBitmap(g);
        touchBlockBitmap(g);
        setBit(bm, i, true);
        dirtyInodeBitmaps.set((int) g);
        int flags = gd.flags(g);
        if (sb.groupDescCsum()) {
            long used = sb.inodesPerGroup - gd.itableUnused(g);
            if (i >= used) {
                if ((flags & GroupDescriptors.ITABLE_ZEROED) == 0) {
                    // e2fsck scans every inode below the unused mark, so stale table contents must go.
                    byte[] zero = new byte[sb.inodeSize];
                    for (long x = used; x < i; x++) {
                        dev.write(gd.inodeTable(g) * bs + x * sb.inodeSize, ByteBuffer.wrap(zero));
                    }
                }
                gd.setItableUnused(g, sb.inodesPerGroup - i - 1);
            }
            if ((flags & GroupDescriptors.INODE_UNINIT) != 0) {
                gd.setFlags(g, flags & ~GroupDescriptors.INODE_UNINIT);
            }
        }
        gd.setFreeInodes(g, gd.freeInodes(g) - 1);
        if (dir) {
            gd.setUsedDirs(g, gd.usedDirs(g) + 1);
        }
        sb.setFreeInodes(sb.freeInodes() - 1);
        sbDirty = true;
    }

    void freeInode(long ino, boolean dir) throws IOException {
        long g = (ino - 1) / sb.inodesPerGroup;
        long i = (ino - 1) % sb.inodesPerGroup;
        byte[] bm = inodeBitmap(g);
        if (!bit(bm, i)) {
            throw new FileSystemException(where() + ": inode " + ino + " is being freed but is already free in the bitmap; run e2fsck");
        }
        setBit(bm, i, false);
        dirtyInodeBitmaps.set((int) g);
        gd.setFreeInodes(g, gd.freeInodes(g) + 1);
        if (dir) {
            gd.setUsedDirs(g, gd.usedDirs(g) - 1);
        }
        sb.setFreeInodes(sb.freeInodes() + 1);
        sbDirty = true;
    }

    long groupOfInode(long ino) {
        return (ino - 1) / sb.inodesPerGroup;
    }

    /** Writes dirty bitmaps, group descriptors and the superblock, with checksums. */
    void flush() throws IOException {
        for (int g = dirtyBlockBitmaps.nextSetBit(0); g >= 0; g = dirtyBlockBitmaps.nextSetBit(g + 1)) {
            byte[] bm = blockBitmaps.get((long) g);
            writeBlock(gd.blockBitmap(g), bm);
            if (sb.metadataCsum()) {
                gd.setBlockBitmapChecksum(g, Crc32c.update(sb.csumSeed, bm, 0, (int) (sb.blocksPerGroup / 8)));
            }
        }
        for (int g = dirtyInodeBitmaps.nextSetBit(0); g >= 0; g = dirtyInodeBitmaps.nextSetBit(g + 1)) {
            byte[] bm = inodeBitmaps.get((long) g);
            writeBlock(gd.inodeBitmap(g), bm);
            if (sb.metadataCsum()) {
                gd.setInodeBitmapChecksum(g, Crc32c.update(sb.csumSeed, bm, 0, (int) (sb.inodesPerGroup / 8)));
            }
        }
        dirtyBlockBitmaps.clear();
        dirtyInodeBitmaps.clear();
        gd.flush();
        if (sbDirty) {
            sb.seal();
            dev.write(Superblock.OFFSET, ByteBuffer.wrap(sb.raw));
            sbDirty = false;
        }
        dev.flush();
    }
}
