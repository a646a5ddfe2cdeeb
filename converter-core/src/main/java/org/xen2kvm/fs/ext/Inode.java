package org.xen2kvm.fs.ext;

import org.xen2kvm.fs.FileType;

/** One on-disk inode (Documentation/filesystems/ext4/inodes.rst) as raw bytes with accessors. */
final class Inode {
    static final int I_MODE = 0x0;
    static final int I_UID = 0x2;
    static final int I_SIZE_LO = 0x4;
    static final int I_ATIME = 0x8;
    static final int I_CTIME = 0xC;
    static final int I_MTIME = 0x10;
    static final int I_DTIME = 0x14;
    static final int I_GID = 0x18;
    static final int I_LINKS_COUNT = 0x1A;
    static final int I_BLOCKS_LO = 0x1C;
    static final int I_FLAGS = 0x20;
    static final int I_BLOCK = 0x28;
    static final int I_BLOCK_SIZE = 60;
    static final int I_GENERATION = 0x64;
    static final int I_FILE_ACL_LO = 0x68;
    static final int I_SIZE_HIGH = 0x6C;
    static final int I_BLOCKS_HIGH = 0x74;
    static final int I_FILE_ACL_HIGH = 0x76;
    static final int I_UID_HIGH = 0x78;
    static final int I_GID_HIGH = 0x7A;
    static final int I_CHECKSUM_LO = 0x7C;
    static final int I_EXTRA_ISIZE = 0x80;
    static final int I_CHECKSUM_HI = 0x82;
    static final int I_CRTIME = 0x90;
    /** End of i_checksum_hi relative to the 128-byte base inode: extra_isize must reach it. */
    static final int CHECKSUM_HI_END = 4;
    static final int CRTIME_END = 0x98 - 128;

    // i_flags
    static final int FL_INDEX = 0x1000;
    static final int FL_ENCRYPT = 0x800;
    static final int FL_HUGE_FILE = 0x40000;
    static final int FL_EXTENTS = 0x80000;
    static final int FL_VERITY = 0x100000;
    static final int FL_EA_INODE = 0x200000;
    static final int FL_INLINE_DATA = 0x10000000;
    static final int FL_CASEFOLD = 0x40000000;

    // i_mode file types
    static final int S_IFMT = 0xF000;
    static final int S_IFSOCK = 0xC000;
    static final int S_IFLNK = 0xA000;
    static final int S_IFREG = 0x8000;
    static final int S_IFBLK = 0x6000;
    static final int S_IFDIR = 0x4000;
    static final int S_IFCHR = 0x2000;
    static final int S_IFIFO = 0x1000;

    final long number;
    final byte[] raw;

    Inode(long number, byte[] raw) {
        this.number = number;
        this.raw = raw;
    }

    int mode() {
        return Le.u16(raw, I_MODE);
    }

    void setMode(int mode) {
        Le.put16(raw, I_MODE, mode);
    }

    int typeBits() {
        return mode() & S_IFMT;
    }

    boolean isDir() {
        return typeBits() == S_IFDIR;
    }

    boolean isRegular() {
        return typeBits() == S_IFREG;
    }

    boolean isSymlink() {
        return typeBits() == S_IFLNK;
    }

    FileType fileType() {
        return switch (typeBits()) {
            case S_IFDIR -> FileType.DIRECTORY;
            case S_IFLNK -> FileType.SYMLINK;
            case S_IFCHR -> FileType.CHAR_DEVICE;
            case S_IFBLK -> FileType.BLOCK_DEVICE;
            case S_IFIFO -> FileType.FIFO;
            case S_IFSOCK -> FileType.SOCKET;
            default -> FileType.REGULAR;
        };
    }

    long size() {
        return Le.u32(raw, I_SIZE_LO) | Le.u32(raw, I_SIZE_HIGH) << 32;
    }

    void setSize(long size) {
        Le.put32(raw, I_SIZE_LO, size);
        Le.put32(raw, I_SIZE_HIGH, size >>> 32);
    }

    int uid() {
        return Le.u16(raw, I_UID) | Le.u16(raw, I_UID_HIGH) << 16;
    }

    int gid() {
        return Le.u16(raw, I_GID) | Le.u16(raw, I_GID_HIGH) << 16;
    }

    void setOwner(int uid, int gid) {
        Le.put16(raw, I_UID, uid);
        Le.put16(raw, I_UID_HIGH, uid >>> 16);
        Le.put16(raw, I_GID, gid);
        Le.put16(raw, I_GID_HIGH, gid >>> 16);
    }

    long mtime() {
        return Le.u32(raw, I_MTIME);
    }

    void setTimes(long atime, long ctime, long mtime) {
        Le.put32(raw, I_ATIME, atime);
        Le.put32(raw, I_CTIME, ctime);
        Le.put32(raw, I_MTIME, mtime);
    }

    void setCtime(long ctime) {
        Le.put32(raw, I_CTIME, ctime);
    }

    void setDtime(long dtime) {
        Le.put32(raw, I_DTIME, dtime);
    }

    int links() {
        return Le.u16(raw, I_LINKS_COUNT);
    }

    void setLinks(int n) {
        Le.put16(raw, I_LINKS_COUNT, n);
    }

    int flags() {
        return (int) Le.u32(raw, I_FLAGS);
    }

    void setFlags(int f) {
        Le.put32(raw, I_FLAGS, f & 0xFFFFFFFFL);
    }

    boolean hasFlag(int f) {
        return (flags() & f) != 0;
    }

    long generation() {
        return Le.u32(raw, I_GENERATION);
    }

    long fileAcl(boolean is64) {
        long v = Le.u32(raw, I_FILE_ACL_LO);
        if (is64) {
            v |= (long) Le.u16(raw, I_FILE_ACL_HIGH) << 32;
        }
        return v;
    }

    void setFileAcl(long block) {
        Le.put32(raw, I_FILE_ACL_LO, block);
        Le.put16(raw, I_FILE_ACL_HIGH, (int) (block >>> 32));
    }

    /** i_blocks in 512-byte units (or file-system blocks with HUGE_FILE_FL, converted by the caller). */
    long blocksRaw(boolean hugeFile) {
        long v = Le.u32(raw, I_BLOCKS_LO);
        if (hugeFile) {
            v |= (long) Le.u16(raw, I_BLOCKS_HIGH) << 32;
        }
        return v;
    }

    void setBlocksRaw(long v) {
        Le.put32(raw, I_BLOCKS_LO, v);
        Le.put16(raw, I_BLOCKS_HIGH, (int) (v >>> 32));
    }

    int extraIsize() {
        return raw.length > Superblock.GOOD_OLD_INODE_SIZE ? Le.u16(raw, I_EXTRA_ISIZE) : 0;
    }

    /** The 60-byte i_block area: block map, extent root, fast symlink or inline data. */
    byte[] iblock() {
        byte[] b = new byte[I_BLOCK_SIZE];
        System.arraycopy(raw, I_BLOCK, b, 0, I_BLOCK_SIZE);
        return b;
    }

    void setIblock(byte[] b) {
        System.arraycopy(b, 0, raw, I_BLOCK, I_BLOCK_SIZE);
    }

    /** Updates i_checksum_lo/hi: crc32c over seed, inode number, generation and the inode with both fields zeroed. */
    void seal(int csumSeed) {
        int extra = extraIsize();
        boolean hi = raw.length > Superblock.GOOD_OLD_INODE_SIZE && extra >= CHECKSUM_HI_END;
        Le.put16(raw, I_CHECKSUM_LO, 0);
        if (hi) {
            Le.put16(raw, I_CHECKSUM_HI, 0);
        }
        int crc = Crc32c.updateInt(csumSeed, (int) number);
        crc = Crc32c.updateInt(crc, (int) generation());
        crc = Crc32c.update(crc, raw);
        Le.put16(raw, I_CHECKSUM_LO, crc);
        if (hi) {
            Le.put16(raw, I_CHECKSUM_HI, crc >>> 16);
        }
    }

    /** Whether the stored i_checksum_lo/hi match the content (metadata_csum). */
    boolean checksumMatches(int csumSeed) {
        Inode copy = new Inode(number, raw.clone());
        copy.seal(csumSeed);
        boolean hi = raw.length > Superblock.GOOD_OLD_INODE_SIZE && extraIsize() >= CHECKSUM_HI_END;
        return Le.u16(raw, I_CHECKSUM_LO) == Le.u16(copy.raw, I_CHECKSUM_LO)
                && (!hi || Le.u16(raw, I_CHECKSUM_HI) == Le.u16(copy.raw, I_CHECKSUM_HI));
    }

    /** The seed for checksums of this inode's extent, directory and htree blocks. */
    int metadataSeed(int csumSeed) {
        return Crc32c.updateInt(Crc32c.updateInt(csumSeed, (int) number), (int) generation());
    }
}
