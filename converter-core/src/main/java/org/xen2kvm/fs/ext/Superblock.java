package org.xen2kvm.fs.ext;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.fs.FileSystemException;

/**
 * The primary superblock (Documentation/filesystems/ext4/super.rst): the raw 1024 bytes,
 * validated geometry, and the counters the writer keeps up to date.
 */
final class Superblock {
    /** The superblock always starts 1024 bytes into the device, whatever the block size. */
    static final int OFFSET = 1024;
    static final int SIZE = 1024;
    static final int MAGIC = 0xEF53;

    // Field offsets (super.rst, "The Super Block" table).
    static final int S_INODES_COUNT = 0x0;
    static final int S_BLOCKS_COUNT_LO = 0x4;
    static final int S_FREE_BLOCKS_COUNT_LO = 0xC;
    static final int S_FREE_INODES_COUNT = 0x10;
    static final int S_FIRST_DATA_BLOCK = 0x14;
    static final int S_LOG_BLOCK_SIZE = 0x18;
    static final int S_LOG_CLUSTER_SIZE = 0x1C;
    static final int S_BLOCKS_PER_GROUP = 0x20;
    static final int S_CLUSTERS_PER_GROUP = 0x24;
    static final int S_INODES_PER_GROUP = 0x28;
    static final int S_MAGIC = 0x38;
    static final int S_REV_LEVEL = 0x4C;
    static final int S_FIRST_INO = 0x54;
    static final int S_INODE_SIZE = 0x58;
    static final int S_FEATURE_COMPAT = 0x5C;
    static final int S_FEATURE_INCOMPAT = 0x60;
    static final int S_FEATURE_RO_COMPAT = 0x64;
    static final int S_UUID = 0x68;
    static final int S_VOLUME_NAME = 0x78;
    static final int S_RESERVED_GDT_BLOCKS = 0xCE;
    static final int S_DESC_SIZE = 0xFE;
    static final int S_HASH_SEED = 0xEC;
    static final int S_FIRST_META_BG = 0x104;
    static final int S_BLOCKS_COUNT_HI = 0x150;
    static final int S_FREE_BLOCKS_COUNT_HI = 0x158;
    static final int S_WANT_EXTRA_ISIZE = 0x15E;
    static final int S_FLAGS = 0x160;
    /** s_flags: directory hashes treat name bytes as unsigned chars. */
    static final int FLAG_UNSIGNED_HASH = 0x2;
    static final int S_CHECKSUM_TYPE = 0x175;
    static final int S_BACKUP_BGS = 0x24C;
    static final int S_CHECKSUM_SEED = 0x270;
    static final int S_CHECKSUM = 0x3FC;

    /** s_rev_level 0 has fixed 128-byte inodes and first non-reserved inode 11. */
    static final int GOOD_OLD_REV = 0;
    static final int GOOD_OLD_INODE_SIZE = 128;
    static final int GOOD_OLD_FIRST_INO = 11;
    static final int DESC_SIZE_32 = 32;
    static final int DESC_SIZE_64 = 64;
    static final int CHECKSUM_TYPE_CRC32C = 1;

    final byte[] raw;
    final String where;
    final int blockSize;
    final long blocksCount;
    final long firstDataBlock;
    final long blocksPerGroup;
    final long inodesPerGroup;
    final long inodesCount;
    final int inodeSize;
    final long firstIno;
    final int descSize;
    final long groupCount;
    final int compat;
    final int incompat;
    final int roCompat;
    final int csumSeed;

    Superblock(byte[] raw, String where, long deviceSize) throws FileSystemException {
        this.raw = raw;
        this.where = where;
        int magic = Le.u16(raw, S_MAGIC);
        if (magic != MAGIC) {
            throw bad(S_MAGIC, "s_magic", "0x" + Integer.toHexString(magic), "not an ext2/3/4 filesystem (expected 0xef53)");
        }
        compat = (int) Le.u32(raw, S_FEATURE_COMPAT);
        incompat = (int) Le.u32(raw, S_FEATURE_INCOMPAT);
        roCompat = (int) Le.u32(raw, S_FEATURE_RO_COMPAT);
        long logBs = Le.u32(raw, S_LOG_BLOCK_SIZE);
        if (logBs > 6) {
            throw bad(S_LOG_BLOCK_SIZE, "s_log_block_size", logBs, "block sizes are 1 KiB to 64 KiB");
        }
        blockSize = 1024 << logBs;
        if ((roCompat & ExtFeatures.RO_BIGALLOC) == 0 && Le.u32(raw, S_LOG_CLUSTER_SIZE) != logBs) {
            throw bad(S_LOG_CLUSTER_SIZE, "s_log_cluster_size", Le.u32(raw, S_LOG_CLUSTER_SIZE),
                    "must equal s_log_block_size without bigalloc");
        }
        boolean is64 = (incompat & ExtFeatures.INCOMPAT_64BIT) != 0;
        long count = Le.u32(raw, S_BLOCKS_COUNT_LO);
        if (is64) {
            count |= Le.u32(raw, S_BLOCKS_COUNT_HI) << 32;
        }
        blocksCount = count;
        firstDataBlock = Le.u32(raw, S_FIRST_DATA_BLOCK);
        long expectFirst = blockSize == 1024 ? 1 : 0;
        if (firstDataBlock != expectFirst) {
            throw bad(S_FIRST_DATA_BLOCK, "s_first_data_block", firstDataBlock, "expected " + expectFirst + " for block size " + blockSize);
        }
        if (blocksCount <= firstDataBlock || blocksCount > deviceSize / blockSize) {
            throw bad(S_BLOCKS_COUNT_LO, "s_blocks_count", blocksCount,
                    "the device holds only " + deviceSize / blockSize + " blocks of " + blockSize + " bytes (truncated image?)");
        }
        blocksPerGroup = Le.u32(raw, S_BLOCKS_PER_GROUP);
        if (blocksPerGroup < 8 || blocksPerGroup > 8L * blockSize || blocksPerGroup % 8 != 0) {
            throw bad(S_BLOCKS_PER_GROUP, "s_blocks_per_group", blocksPerGroup, "must be a multiple of 8 up to 8 * block size");
        }
        inodesPerGroup = Le.u32(raw, S_INODES_PER_GROUP);
        if (inodesPerGroup < 1 || inodesPerGroup > 8L * blockSize) {
            throw bad(S_INODES_PER_GROUP, "s_inodes_per_group", inodesPerGroup, "must be 1 to 8 * block size");
        }
        groupCount = (blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
        inodesCount = Le.u32(raw, S_INODES_COUNT);
        if (inodesCount != groupCount * inodesPerGroup) {
            throw bad(S_INODES_COUNT, "s_inodes_count", inodesCount,
                    "expected " + groupCount + " groups * " + inodesPerGroup + " inodes per group");
        }
        long rev = Le.u32(raw, S_REV_LEVEL);
        if (rev == GOOD_OLD_REV) {
            inodeSize = GOOD_OLD_INODE_SIZE;
            firstIno = GOOD_OLD_FIRST_INO;
        } else {
            inodeSize = Le.u16(raw, S_INODE_SIZE);
            if (inodeSize < GOOD_OLD_INODE_SIZE || inodeSize > blockSize || Integer.bitCount(inodeSize) != 1) {
                throw bad(S_INODE_SIZE, "s_inode_size", inodeSize, "must be a power of two from 128 to the block size");
            }
            firstIno = Le.u32(raw, S_FIRST_INO);
            if (firstIno < GOOD_OLD_FIRST_INO || firstIno > inodesCount) {
                throw bad(S_FIRST_INO, "s_first_ino", firstIno, "must be 11 to s_inodes_count");
            }
        }
        if (is64) {
            descSize = Le.u16(raw, S_DESC_SIZE);
            if (descSize < DESC_SIZE_64 || descSize > 1024 || Integer.bitCount(descSize) != 1) {
                throw bad(S_DESC_SIZE, "s_desc_size", descSize, "must be a power of two from 64 to 1024 with 64bit");
            }
        } else {
            descSize = DESC_SIZE_32;
        }
        if (metadataCsum()) {
            int type = Le.u8(raw, S_CHECKSUM_TYPE);
            if (type != CHECKSUM_TYPE_CRC32C) {
                throw bad(S_CHECKSUM_TYPE, "s_checksum_type", type, "only crc32c (1) is defined");
            }
            int stored = (int) Le.u32(raw, S_CHECKSUM);
            int computed = computeChecksum();
            if (stored != computed) {
                throw bad(S_CHECKSUM, "s_checksum", "0x" + Integer.toHexString(stored),
                        "computed 0x" + Integer.toHexString(computed) + "; run e2fsck");
            }
            csumSeed = (incompat & ExtFeatures.INCOMPAT_CSUM_SEED) != 0
                    ? (int) Le.u32(raw, S_CHECKSUM_SEED) : Crc32c.update(~0, raw, S_UUID, 16);
        } else {
            csumSeed = 0;
        }
    }

    private FileSystemException bad(int field, String name, Object value, String hint) {
        return new FileSystemException(where + ": superblock field " + name + " at offset " + (OFFSET + field)
                + " has bad value " + value + ": " + hint);
    }

    boolean metadataCsum() {
        return (roCompat & ExtFeatures.RO_METADATA_CSUM) != 0;
    }

    boolean groupDescCsum() {
        return metadataCsum() || (roCompat & ExtFeatures.RO_GDT_CSUM) != 0;
    }

    boolean has(int incompatBit) {
        return (incompat & incompatBit) != 0;
    }

    boolean hasRo(int roBit) {
        return (roCompat & roBit) != 0;
    }

    int computeChecksum() {
        return Crc32c.update(~0, raw, 0, S_CHECKSUM);
    }

    long freeBlocks() {
        long v = Le.u32(raw, S_FREE_BLOCKS_COUNT_LO);
        if (has(ExtFeatures.INCOMPAT_64BIT)) {
            v |= Le.u32(raw, S_FREE_BLOCKS_COUNT_HI) << 32;
        }
        return v;
    }

    void setFreeBlocks(long v) {
        Le.put32(raw, S_FREE_BLOCKS_COUNT_LO, v);
        if (has(ExtFeatures.INCOMPAT_64BIT)) {
            Le.put32(raw, S_FREE_BLOCKS_COUNT_HI, v >>> 32);
        }
    }

    long freeInodes() {
        return Le.u32(raw, S_FREE_INODES_COUNT);
    }

    void setFreeInodes(long v) {
        Le.put32(raw, S_FREE_INODES_COUNT, v);
    }

    /** Brings s_checksum up to date; call before writing the raw bytes. */
    void seal() {
        if (metadataCsum()) {
            Le.put32(raw, S_CHECKSUM, computeChecksum() & 0xFFFFFFFFL);
        }
    }

    String uuid() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                sb.append('-');
            }
            sb.append(String.format("%02x", raw[S_UUID + i] & 0xFF));
        }
        return sb.toString();
    }

    String label() {
        int n = 0;
        while (n < 16 && raw[S_VOLUME_NAME + n] != 0) {
            n++;
        }
        return new String(raw, S_VOLUME_NAME, n, StandardCharsets.UTF_8);
    }

    int wantExtraIsize() {
        return Le.u16(raw, S_WANT_EXTRA_ISIZE);
    }

    int reservedGdtBlocks() {
        return Le.u16(raw, S_RESERVED_GDT_BLOCKS);
    }

    long firstMetaBg() {
        return Le.u32(raw, S_FIRST_META_BG);
    }

    /** Whether {@code group} carries a backup superblock (and group descriptor copy). */
    boolean hasSuperBackup(long group) {
        if (group == 0) {
            return true;
        }
        if ((compat & ExtFeatures.COMPAT_SPARSE_SUPER2) != 0) {
            return group == Le.u32(raw, S_BACKUP_BGS) || group == Le.u32(raw, S_BACKUP_BGS + 4);
        }
        if (group <= 1 || !hasRo(ExtFeatures.RO_SPARSE_SUPER)) {
            return true;
        }
        return isPower(group, 3) || isPower(group, 5) || isPower(group, 7);
    }

    private static boolean isPower(long n, int base) {
        long p = base;
        while (p < n) {
            p *= base;
        }
        return p == n;
    }

    List<String> featureNames() {
        List<String> out = new ArrayList<>();
        out.addAll(ExtFeatures.describe(ExtFeatures.COMPAT_NAMES, "compat", compat & 0xFFFFFFFFL));
        out.addAll(ExtFeatures.describe(ExtFeatures.INCOMPAT_NAMES, "incompat", incompat & 0xFFFFFFFFL));
        out.addAll(ExtFeatures.describe(ExtFeatures.RO_COMPAT_NAMES, "ro_compat", roCompat & 0xFFFFFFFFL));
        return out;
    }
}
