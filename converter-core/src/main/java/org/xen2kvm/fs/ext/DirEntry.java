package org.xen2kvm.fs.ext;

/** One directory entry as found at {@code offset} in a directory block (or inline area). */
record DirEntry(int offset, long inode, int recLen, byte[] name, int fileType) {
    /** Bytes the entry needs: 8-byte header plus the name, rounded up to 4 (EXT4_DIR_REC_LEN). */
    static int neededLength(int nameLen) {
        return (8 + nameLen + 3) & ~3;
    }
}
