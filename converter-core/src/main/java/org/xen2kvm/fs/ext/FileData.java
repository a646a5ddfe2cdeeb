package org.xen2kvm.fs.ext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.xen2kvm.fs.FileSystemException;

/**
 * File contents and inode lifecycle: reading data through block maps or extent trees,
 * allocating and freeing inodes, storing and releasing data blocks with their mapping.
 */
final class FileData {
    /** Fast symlink targets live in i_block when shorter than its 60 bytes. */
    static final int FAST_SYMLINK_MAX = Inode.I_BLOCK_SIZE - 1;
    /** Longest symlink target (PATH_MAX without the terminating NUL). */
    static final int SYMLINK_MAX = 4095;
    static final int DEFAULT_EXTRA_ISIZE = 32;
    /** Largest write, in bytes, issued to the device at once when copying file data. */
    private static final int IO_CHUNK = 1 << 20;
    /** Extended attribute block header (attributes.rst): magic, refcount, checksum. */
    static final long XATTR_BLOCK_MAGIC = 0xEA020000L;
    static final int XATTR_H_REFCOUNT = 4;
    static final int XATTR_H_CHECKSUM = 0x10;

    private final ExtVolume vol;
    /** i_generation of new inodes; seeded from SOURCE_DATE_EPOCH when set (see {@link #now()}). */
    private final Random generations = reproducibleEpoch() >= 0 ? new Random(reproducibleEpoch()) : new Random();

    FileData(ExtVolume vol) {
        this.vol = vol;
    }

    FileLayout layout(Inode inode, long limit) throws IOException {
        if (inode.hasFlag(Inode.FL_INLINE_DATA)) {
            return new FileLayout(List.of(), List.of());
        }
        if (inode.hasFlag(Inode.FL_EXTENTS)) {
            return ExtentTree.read(vol, inode, limit);
        }
        return BlockMap.read(vol, inode, limit);
    }

    long blocksFor(long size) {
        return (size + vol.bs - 1) / vol.bs;
    }

    /** Whole content of a file whose size the caller has bounded. */
    byte[] content(Inode inode) throws IOException {
        long size = inode.size();
        if (size > Integer.MAX_VALUE - 8 || size < 0) {
            throw new FileSystemException(vol.where() + ": inode " + inode.number + " is " + size + " bytes, too large to read into memory");
        }
        if (inode.hasFlag(Inode.FL_ENCRYPT)) {
            throw new FileSystemException(vol.where() + ": inode " + inode.number + " is encrypted");
        }
        if (inode.hasFlag(Inode.FL_INLINE_DATA)) {
            byte[] all = InlineData.content(inode, vol.where());
            if (size > all.length) {
                throw new FileSystemException(vol.where() + ": inline inode " + inode.number + " has i_size " + size
                        + " but holds only " + all.length + " bytes; run e2fsck");
            }
            return Arrays.copyOf(all, (int) size);
        }
        byte[] out = new byte[(int) size];
        long nBlocks = blocksFor(size);
        FileLayout layout = layout(inode, nBlocks);
        for (Run r : layout.runs()) {
            if (r.unwritten() || r.logical() >= nBlocks) {
                continue;
            }
            long len = Math.min(r.length(), nBlocks - r.logical());
            long from = r.logical() * vol.bs;
            int bytes = (int) Math.min(len * vol.bs, size - from);
            vol.dev.read(r.physical() * vol.bs, ByteBuffer.wrap(out, (int) from, bytes));
        }
        return out;
    }

    String symlinkTarget(Inode i) throws IOException {
        long size = i.size();
        if (size > vol.bs || size > SYMLINK_MAX + 1 || size < 0) {
            throw new FileSystemException(vol.where() + ": symlink inode " + i.number + " has i_size " + size + ", over the 4096-byte limit; run e2fsck");
        }
        byte[] target;
        if (!i.hasFlag(Inode.FL_INLINE_DATA) && !i.hasFlag(Inode.FL_EXTENTS) && size <= FAST_SYMLINK_MAX) {
            target = Arrays.copyOfRange(i.raw, Inode.I_BLOCK, Inode.I_BLOCK + (int) size);
        } else {
            target = content(i);
        }
        return new String(target, StandardCharsets.UTF_8);
    }

    /**
     * Refuses an operation up front when the data, its worst-case mapping blocks and a new
     * directory block would not fit, so that a full filesystem is never left half-changed.
     */
    void ensureSpace(long dataBlocks, long releasedBlocks) throws FileSystemException {
        long perNode = ExtentTree.blockEntries(vol.bs);
        long need = dataBlocks + 2 * ((dataBlocks + perNode - 1) / perNode) + 4;
        if (need > vol.sb.freeBlocks() + releasedBlocks) {
            throw new FileSystemException(vol.where() + ": no space: need up to " + need + " blocks, "
                    + (vol.sb.freeBlocks() + releasedBlocks) + " available");
        }
    }

    /** Undoes a half-created inode after a failure, keeping bitmaps consistent. */
    void abandon(Inode inode, Exception cause) {
        try {
            releaseData(inode);
            inode.setLinks(0);
            inode.setDtime(now());
            vol.writeInode(inode);
            vol.freeInode(inode.number, inode.isDir());
            vol.flush();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    boolean useExtents() {
        return vol.sb.has(ExtFeatures.INCOMPAT_EXTENTS);
    }

    Inode newInode(Inode parent, int mode, int uid, int gid, boolean dir) throws IOException {
        if (parent.hasFlag(Inode.FL_ENCRYPT) || parent.hasFlag(Inode.FL_CASEFOLD)) {
            throw new FileSystemException(vol.where() + ": directory inode " + parent.number + " is encrypted or case-folded; not supported");
        }
        long ino = vol.allocateInode(vol.groupOfInode(parent.number), dir);
        Inode inode = new Inode(ino, new byte[vol.sb.inodeSize]);
        inode.setMode(mode);
        inode.setOwner(uid, gid);
        long t = now();
        inode.setTimes(t, t, t);
        Le.put32(inode.raw, Inode.I_GENERATION, generations.nextInt() & 0xFFFFFFFFL);
        if (vol.sb.inodeSize > Superblock.GOOD_OLD_INODE_SIZE) {
            int extra = Math.max(vol.sb.wantExtraIsize(), DEFAULT_EXTRA_ISIZE);
            extra = Math.min(extra, vol.sb.inodeSize - Superblock.GOOD_OLD_INODE_SIZE);
            Le.put16(inode.raw, Inode.I_EXTRA_ISIZE, extra);
            if (extra >= Inode.CRTIME_END) {
                Le.put32(inode.raw, Inode.I_CRTIME, t);
            }
        }
        if (useExtents()) {
            ExtentTree.build(vol, inode, List.of(), 0);
        }
        return inode;
    }

    long goalFor(Inode inode) {
        return vol.groupStart(vol.groupOfInode(inode.number));
    }

    List<Run> allocateData(Inode inode, long blocks) throws IOException {
        if (blocks == 0) {
            return List.of();
        }
        List<Run> phys = vol.allocateBlocks(goalFor(inode), blocks);
        List<Run> runs = new ArrayList<>();
        long l = 0;
        for (Run r : phys) {
            runs.add(new Run(l, r.physical(), r.length(), false));
            l += r.length();
        }
        return runs;
    }

    /** Builds the mapping for {@code runs} and sets i_blocks (data plus mapping blocks). */
    void finishMapping(Inode inode, List<Run> runs, long dataBlocks) throws IOException {
        long goal = runs.isEmpty() ? goalFor(inode) : runs.get(runs.size() - 1).physical();
        List<Long> meta = useExtents() ? ExtentTree.build(vol, inode, runs, goal) : BlockMap.build(vol, inode, runs, goal);
        long sectors = Math.multiplyExact(dataBlocks + meta.size() + xattrBlocks(inode), (long) vol.sectorsPerBlock());
        vol.setSectors(inode, sectors);
    }

    long xattrBlocks(Inode inode) {
        return inode.fileAcl(vol.is64()) != 0 ? 1 : 0;
    }

    /** Writes {@code data} into freshly allocated blocks of {@code inode} (which owns none). */
    void storeData(Inode inode, byte[] data) throws IOException {
        long nBlocks = blocksFor(data.length);
        List<Run> runs = allocateData(inode, nBlocks);
        for (Run r : runs) {
            long from = r.logical() * vol.bs;
            long to = Math.min(data.length, (r.logical() + r.length()) * vol.bs);
            for (long off = from; off < to; off += IO_CHUNK) {
                int n = (int) Math.min(IO_CHUNK, to - off);
                vol.dev.write(r.physical() * vol.bs + (off - from), ByteBuffer.wrap(data, (int) off, n));
            }
            long paddedEnd = (r.logical() + r.length()) * vol.bs;
            if (to < paddedEnd) {
                vol.dev.write(r.physical() * vol.bs + (to - from), ByteBuffer.wrap(new byte[(int) (paddedEnd - to)]));
            }
        }
        finishMapping(inode, runs, nBlocks);
        inode.setSize(data.length);
    }

    /** Frees every data and mapping block of {@code inode} and leaves it empty. */
    void releaseData(Inode inode) throws IOException {
        if (inode.hasFlag(Inode.FL_INLINE_DATA)) {
            return;
        }
        boolean fast = inode.isSymlink() && !inode.hasFlag(Inode.FL_EXTENTS) && inode.size() <= FAST_SYMLINK_MAX;
        if (!fast) {
            FileLayout layout = layout(inode, Long.MAX_VALUE);
            for (Run r : layout.runs()) {
                vol.freeBlocks(r.physical(), r.length());
            }
            for (long b : layout.mappingBlocks()) {
                vol.freeBlocks(b, 1);
            }
        }
        if (useExtents() && (inode.hasFlag(Inode.FL_EXTENTS) || !inode.isSymlink())) {
            ExtentTree.build(vol, inode, List.of(), 0);
        } else {
            inode.setIblock(new byte[Inode.I_BLOCK_SIZE]);
        }
        inode.setSize(0);
        vol.setSectors(inode, xattrBlocks(inode) * vol.sectorsPerBlock());
    }

    void freeInode(Inode inode) throws IOException {
        if (inode.hasFlag(Inode.FL_EA_INODE) || vol.sb.has(ExtFeatures.INCOMPAT_EA_INODE)) {
            throw new FileSystemException(vol.where() + ": freeing inodes on an ea_inode filesystem is not supported");
        }
        releaseData(inode);
        releaseXattrBlock(inode);
        boolean dir = inode.isDir();
        inode.setLinks(0);
        inode.setDtime(now());
        inode.setCtime(now());
        vol.writeInode(inode);
        vol.freeInode(inode.number, dir);
    }

    /** Drops this inode's reference to its extended attribute block, freeing it with the last one. */
    void releaseXattrBlock(Inode inode) throws IOException {
        long blk = inode.fileAcl(vol.is64());
        if (blk == 0) {
            return;
        }
        byte[] b = vol.readBlock(blk, "extended attribute block of inode " + inode.number);
        if (Le.u32(b, 0) != XATTR_BLOCK_MAGIC) {
            throw new FileSystemException(vol.where() + ": extended attribute block " + blk + " of inode " + inode.number
                    + " has bad magic 0x" + Long.toHexString(Le.u32(b, 0)) + "; run e2fsck");
        }
        long refs = Le.u32(b, XATTR_H_REFCOUNT);
        if (refs <= 1) {
            vol.freeBlocks(blk, 1);
        } else {
            Le.put32(b, XATTR_H_REFCOUNT, refs - 1);
            if (vol.sb.metadataCsum()) {
                Le.put32(b, XATTR_H_CHECKSUM, 0);
                int crc = Crc32c.updateLong(vol.sb.csumSeed, blk);
                crc = Crc32c.update(crc, b);
                Le.put32(b, XATTR_H_CHECKSUM, crc & 0xFFFFFFFFL);
            }
            vol.writeBlock(blk, b);
        }
        inode.setFileAcl(0);
        vol.setSectors(inode, 0);
    }

    /**
     * The time stamped on what an edit changes: now, or {@code SOURCE_DATE_EPOCH} (seconds,
     * reproducible-builds.org) when set, so that converting the same guest twice (a clean run
     * and the re-run after a killed one) gives byte-identical disks.
     */
    static long now() {
        long fixed = reproducibleEpoch();
        return fixed >= 0 ? fixed : System.currentTimeMillis() / 1000;
    }

    /** {@code SOURCE_DATE_EPOCH} in seconds, or -1 when it is unset or not a plain number. */
    private static long reproducibleEpoch() {
        String fixed = System.getenv("SOURCE_DATE_EPOCH");
        return fixed != null && fixed.matches("[0-9]{1,12}") ? Long.parseLong(fixed) : -1;
    }
}
