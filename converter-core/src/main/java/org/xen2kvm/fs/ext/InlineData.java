package org.xen2kvm.fs.ext;

import java.util.Arrays;
import org.xen2kvm.fs.FileSystemException;

/**
 * Reads inline data (Documentation/filesystems/ext4/inlinedata.rst): the first 60 bytes sit
 * in i_block, the rest in the value of the in-inode extended attribute "system.data"
 * (attributes.rst: in-inode attributes follow i_extra_isize, after a 4-byte magic).
 */
final class InlineData {
    static final long XATTR_MAGIC = 0xEA020000L;
    static final int ENTRY_HEADER = 16;
    static final int E_NAME_LEN = 0;
    static final int E_NAME_INDEX = 1;
    static final int E_VALUE_OFFS = 2;
    static final int E_VALUE_INUM = 4;
    static final int E_VALUE_SIZE = 8;
    /** Attribute name prefix index 7 is "system.". */
    static final int INDEX_SYSTEM = 7;
    static final byte[] DATA_NAME = {'d', 'a', 't', 'a'};

    private InlineData() {
    }

    /** The "system.data" value, empty when absent. */
    static byte[] extra(Inode inode, String where) throws FileSystemException {
        byte[] raw = inode.raw;
        int base = Superblock.GOOD_OLD_INODE_SIZE + inode.extraIsize();
        if (raw.length <= Superblock.GOOD_OLD_INODE_SIZE || base + 4 > raw.length || Le.u32(raw, base) != XATTR_MAGIC) {
            return new byte[0];
        }
        int first = base + 4;
        int off = first;
        while (off + 4 <= raw.length && Le.u32(raw, off) != 0) {
            if (off + ENTRY_HEADER > raw.length) {
                throw bad(inode, where, off, "entry header runs past the inode");
            }
            int nameLen = Le.u8(raw, off + E_NAME_LEN);
            int idx = Le.u8(raw, off + E_NAME_INDEX);
            int valueOffs = Le.u16(raw, off + E_VALUE_OFFS);
            long valueInum = Le.u32(raw, off + E_VALUE_INUM);
            long valueSize = Le.u32(raw, off + E_VALUE_SIZE);
            int next = off + ((ENTRY_HEADER + nameLen + 3) & ~3);
            if (next > raw.length) {
                throw bad(inode, where, off, "name runs past the inode");
            }
            byte[] name = Arrays.copyOfRange(raw, off + ENTRY_HEADER, off + ENTRY_HEADER + nameLen);
            if (idx == INDEX_SYSTEM && Arrays.equals(name, DATA_NAME)) {
                if (valueInum != 0 || valueSize > raw.length || first + valueOffs + valueSize > raw.length) {
                    throw bad(inode, where, off, "system.data value " + valueOffs + "+" + valueSize + " lies outside the inode");
                }
                return Arrays.copyOfRange(raw, first + valueOffs, (int) (first + valueOffs + valueSize));
            }
            off = next;
        }
        return new byte[0];
    }

    private static FileSystemException bad(Inode inode, String where, int off, String why) {
        return new FileSystemException(where + ": inode " + inode.number + " in-inode extended attribute at byte " + off
                + ": " + why + "; run e2fsck");
    }

    /** Whole inline content: i_block followed by the system.data value. */
    static byte[] content(Inode inode, String where) throws FileSystemException {
        byte[] extra = extra(inode, where);
        byte[] all = new byte[Inode.I_BLOCK_SIZE + extra.length];
        System.arraycopy(inode.raw, Inode.I_BLOCK, all, 0, Inode.I_BLOCK_SIZE);
        System.arraycopy(extra, 0, all, Inode.I_BLOCK_SIZE, extra.length);
        return all;
    }
}
