package org.xen2kvm.fs.ext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.xen2kvm.fs.FileSystemException;

/**
 * Linear directory entries inside one block or inline area
 * (Documentation/filesystems/ext4/directory.rst, "Linear (Classic) Directories"), plus the
 * 12-byte checksum tail that metadata_csum adds at the end of each block.
 */
final class DirectoryBlock {
    static final int DE_INODE = 0;
    static final int DE_REC_LEN = 4;
    static final int DE_NAME_LEN = 6;
    static final int DE_FILE_TYPE = 7;
    static final int DE_NAME = 8;
    static final int MIN_REC_LEN = 12;
    static final int TAIL_SIZE = 12;
    /** det_reserved_ft of the checksum tail. */
    static final int TAIL_FT = 0xDE;
    static final int MAX_NAME = 255;
    /** "." takes the first 12 bytes of a directory, ".." the next 12 (directory.rst, "Hash Tree Directories"). */
    static final int DOT_REC_LEN = 12;
    /** Where dx_root_info starts in the first block of a hashed directory. */
    static final int DX_ROOT_INFO = 24;
    static final byte[] DOT = {'.'};
    static final byte[] DOTDOT = {'.', '.'};
    // file_type values (directory.rst)
    static final int FT_UNKNOWN = 0;
    static final int FT_REG = 1;
    static final int FT_DIR = 2;
    static final int FT_SYMLINK = 7;

    private DirectoryBlock() {
    }

    /** On-disk rec_len to bytes: 64 KiB blocks store 65536 as 65535 or 0. */
    static int decodeRecLen(int raw, int blockSize) {
        if (blockSize >= 65536 && (raw == 65535 || raw == 0)) {
            return 65536;
        }
        return raw;
    }

    static int encodeRecLen(int len) {
        return len >= 65536 ? 65535 : len;
    }

    static boolean hasTail(byte[] b, int blockSize) {
        int t = blockSize - TAIL_SIZE;
        return Le.u32(b, t) == 0 && Le.u16(b, t + DE_REC_LEN) == TAIL_SIZE && Le.u8(b, t + DE_NAME_LEN) == 0
                && Le.u8(b, t + DE_FILE_TYPE) == TAIL_FT;
    }

    /**
     * Parses entries in {@code [start, end)}; every rec_len is checked against the area.
     *
     * @param what names the directory and block for error messages
     */
    static List<DirEntry> parse(byte[] b, int start, int end, int blockSize, boolean fileType, long inodesCount,
            String what) throws FileSystemException {
        List<DirEntry> out = new ArrayList<>();
        int off = start;
        while (off < end) {
            if (end - off < DE_NAME) {
                throw new FileSystemException(what + ": directory entry at offset " + off + " is cut off by the end of the block at " + end + "; run e2fsck");
            }
            long ino = Le.u32(b, off + DE_INODE);
            int rec = decodeRecLen(Le.u16(b, off + DE_REC_LEN), blockSize);
            int nameLen = fileType ? Le.u8(b, off + DE_NAME_LEN) : Le.u16(b, off + DE_NAME_LEN);
            int ft = fileType ? Le.u8(b, off + DE_FILE_TYPE) : FT_UNKNOWN;
            if (rec < DE_NAME || rec % 4 != 0 || rec > end - off) {
                throw new FileSystemException(what + ": directory entry at offset " + off + " has rec_len " + rec
                        + ", which overruns the block (" + (end - off) + " bytes left) or is misaligned; run e2fsck");
            }
            if (nameLen > rec - DE_NAME) {
                throw new FileSystemException(what + ": directory entry at offset " + off + " has name_len " + nameLen
                        + " longer than its rec_len " + rec + "; run e2fsck");
            }
            if (ino > inodesCount) {
                throw new FileSystemException(what + ": directory entry at offset " + off + " refers to inode " + ino
                        + ", over s_inodes_count " + inodesCount + "; run e2fsck");
            }
            out.add(new DirEntry(off, ino, rec, Arrays.copyOfRange(b, off + DE_NAME, off + DE_NAME + nameLen), ft));
            off += rec;
        }
        return out;
    }

    static void putEntry(byte[] b, int off, long ino, int recLen, byte[] name, int ft, boolean fileType) {
        Le.put32(b, off + DE_INODE, ino);
        Le.put16(b, off + DE_REC_LEN, encodeRecLen(recLen));
        if (fileType) {
            Le.put8(b, off + DE_NAME_LEN, name.length);
            Le.put8(b, off + DE_FILE_TYPE, ft);
        } else {
            Le.put16(b, off + DE_NAME_LEN, name.length);
        }
        System.arraycopy(name, 0, b, off + DE_NAME, name.length);
    }

    /** Tries to place a new entry in {@code [0, end)}; returns false when there is no room. */
    static boolean insert(List<DirEntry> entries, byte[] b, long ino, byte[] name, int ft, boolean fileType) {
        int need = DirEntry.neededLength(name.length);
        for (DirEntry e : entries) {
            if (e.inode() == 0 && e.recLen() >= need) {
                Arrays.fill(b, e.offset() + DE_NAME, e.offset() + e.recLen(), (byte) 0);
                putEntry(b, e.offset(), ino, e.recLen(), name, ft, fileType);
                return true;
            }
            int used = DirEntry.neededLength(e.name().length);
            if (e.inode() != 0 && e.recLen() - used >= need) {
                Le.put16(b, e.offset() + DE_REC_LEN, encodeRecLen(used));
                int off = e.offset() + used;
                Arrays.fill(b, off, e.offset() + e.recLen(), (byte) 0);
                putEntry(b, off, ino, e.recLen() - used, name, ft, fileType);
                return true;
            }
        }
        return false;
    }

    /** Removes entry {@code index}: its space joins the previous entry, or it becomes unused. */
    static void remove(List<DirEntry> entries, int index, byte[] b) {
        DirEntry e = entries.get(index);
        if (index > 0) {
            DirEntry prev = entries.get(index - 1);
            Le.put16(b, prev.offset() + DE_REC_LEN, encodeRecLen(prev.recLen() + e.recLen()));
            Arrays.fill(b, e.offset(), e.offset() + e.recLen(), (byte) 0);
        } else {
            Le.put32(b, e.offset() + DE_INODE, 0);
        }
    }

    /** Writes the checksum tail: crc32c over the inode's seed and the block up to the tail. */
    static void seal(byte[] b, int blockSize, int inodeSeed) {
        int t = blockSize - TAIL_SIZE;
        Le.put32(b, t, 0);
        Le.put16(b, t + DE_REC_LEN, TAIL_SIZE);
        Le.put8(b, t + DE_NAME_LEN, 0);
        Le.put8(b, t + DE_FILE_TYPE, TAIL_FT);
        Le.put32(b, t + 8, Crc32c.update(inodeSeed, b, 0, t) & 0xFFFFFFFFL);
    }
}
