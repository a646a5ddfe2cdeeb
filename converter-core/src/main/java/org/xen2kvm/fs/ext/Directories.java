package org.xen2kvm.fs.ext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.xen2kvm.fs.FileSystemException;

/**
 * Directory contents: walking linear, hashed (read as linear) and inline directories, and
 * adding and removing entries with checksum tails kept current.
 */
final class Directories {
    // dx_root_info and dx entries (directory.rst, "Hash Tree Directories").
    static final int DX_HASH_VERSION = 0x1C;
    static final int DX_INFO_LENGTH = 0x1D;
    static final int DX_INDIRECT_LEVELS = 0x1E;
    static final int DX_INFO_SIZE = 8;
    /** Interior nodes start with an empty 8-byte directory entry, then count/limit. */
    static final int DX_NODE_ENTRIES = 8;
    static final int DX_ENTRY_SIZE = 8;
    /** The kernel ignores the top four bits of dx_entry.block. */
    static final long DX_BLOCK_MASK = 0x0FFFFFFFL;
    /** Two index levels below the root need the large_dir feature; never more. */
    static final int DX_MAX_LEVELS = 2;

    /**
     * Leaves a name hashes to, first the one a new entry goes into. {@code complete} is false
     * when a hash collision chain might continue beyond them.
     */
    record HtreeProbe(List<Long> leaves, boolean complete) {
    }

    private final ExtVolume vol;
    private final FileData data;

    /** Bounds {@link #verified}: a directory tree of this many blocks is far beyond a guest's system files. */
    private static final int MAX_VERIFIED = 1 << 16;
    private final java.util.Set<Verified> verified = new java.util.HashSet<>();

    Directories(ExtVolume vol, FileData data) {
        this.vol = vol;
        this.data = data;
    }

    /** Calls {@code v} for each entry of a directory, block by block. */
    interface EntryVisitor {
        /** Return true to stop. */
        boolean visit(DirEntry e) throws IOException;
    }

    boolean fileTypeFeature() {
        return vol.sb.has(ExtFeatures.INCOMPAT_FILETYPE);
    }

    String dirWhat(Inode dir, long lblk) {
        return vol.where() + ": directory inode " + dir.number + " block " + lblk;
    }

    void forEachEntry(Inode dir, EntryVisitor v) throws IOException {
        if (dir.hasFlag(Inode.FL_ENCRYPT) || dir.hasFlag(Inode.FL_CASEFOLD)) {
            throw new FileSystemException(vol.where() + ": directory inode " + dir.number + " is encrypted or case-folded; not supported");
        }
        if (dir.hasFlag(Inode.FL_INLINE_DATA)) {
            byte[] all = InlineData.content(dir, vol.where());
            // The first four bytes hold the parent's inode number instead of "." and "..".
            List<DirEntry> es = DirectoryBlock.parse(all, 4, Inode.I_BLOCK_SIZE, vol.bs, fileTypeFeature(), vol.sb.inodesCount,
                    vol.where() + ": inline directory inode " + dir.number);
            if (all.length > Inode.I_BLOCK_SIZE) {
                es = new ArrayList<>(es);
                es.addAll(DirectoryBlock.parse(all, Inode.I_BLOCK_SIZE, all.length, vol.bs, fileTypeFeature(), vol.sb.inodesCount,
                        vol.where() + ": inline directory inode " + dir.number + " system.data"));
            }
            for (DirEntry e : es) {
                if (v.visit(e)) {
                    return;
                }
            }
            return;
        }
        long nBlocks = dirBlockCount(dir);
        FileLayout layout = data.layout(dir, nBlocks);
        for (long[] lp : dirBlocks(layout, nBlocks)) {
            long l = lp[0];
            long p = lp[1];
            byte[] b = readDirBlock(dir, l, p);
            for (DirEntry e : DirectoryBlock.parse(b, 0, vol.bs, vol.bs, fileTypeFeature(), vol.sb.inodesCount, dirWhat(dir, l))) {
                if (e.inode() != 0 && v.visit(e)) {
                    return;
                }
            }
        }
    }

    /**
     * The mapped blocks of a directory below {@code nBlocks} as (logical, physical) pairs;
     * walking the runs rather than every logical block keeps a corrupt, huge i_size cheap.
     */
    private static List<long[]> dirBlocks(FileLayout layout, long nBlocks) {
        List<long[]> out = new ArrayList<>();
        for (Run r : layout.runs()) {
            if (r.unwritten()) {
                continue;
            }
            for (long k = 0; k < r.length() && r.logical() + k < nBlocks; k++) {
                out.add(new long[] {r.logical() + k, r.physical() + k});
            }
        }
        return out;
    }

    /** The first block of a new directory: "." and ".." and, with metadata_csum, room for the tail. */
    byte[] emptyDirectoryBlock(long self, long parent) {
        byte[] block = new byte[vol.bs];
        int end = vol.sb.metadataCsum() ? vol.bs - DirectoryBlock.TAIL_SIZE : vol.bs;
        DirectoryBlock.putEntry(block, 0, self, DirectoryBlock.DOT_REC_LEN, DirectoryBlock.DOT, DirectoryBlock.FT_DIR, fileTypeFeature());
        DirectoryBlock.putEntry(block, DirectoryBlock.DOT_REC_LEN, parent, end - DirectoryBlock.DOT_REC_LEN, DirectoryBlock.DOTDOT,
                DirectoryBlock.FT_DIR, fileTypeFeature());
        return block;
    }

    /** Reads a directory block, checking its checksum tail where metadata_csum put one. */
    byte[] readDirBlock(Inode dir, long l, long p) throws IOException {
        byte[] b = vol.readBlock(p, "directory inode " + dir.number + " block " + l);
        if (vol.sb.metadataCsum() && DirectoryBlock.hasTail(b, vol.bs)) {
            int t = vol.bs - DirectoryBlock.TAIL_SIZE;
            long stored = Le.u32(b, t + 8);
            Verified key = new Verified(p, dir.number, stored);
            if (verified.contains(key)) {
                return b;
            }
            long computed = Crc32c.update(dir.metadataSeed(vol.sb.csumSeed), b, 0, t) & 0xFFFFFFFFL;
            if (stored != computed) {
                throw new FileSystemException(dirWhat(dir, l) + ": directory block checksum 0x" + Long.toHexString(stored)
                        + " does not match computed 0x" + Long.toHexString(computed) + "; run e2fsck");
            }
            if (verified.size() >= MAX_VERIFIED) {
                verified.clear();
            }
            verified.add(key);
        }
        return b;
    }

    /**
     * Block, owner and stored checksum of a directory block already verified. The bytes of a
     * block change only through this filesystem's own writes, which seal it with a correct
     * checksum, so the same block with the same stored checksum needs no second check. Every
     * path lookup reads the blocks of each directory on the way: checking them again and again
     * was a sixth of the CPU of installing a kernel package (1,379 files).
     */
    private record Verified(long block, long inode, long stored) {
    }

    long lookup(Inode dir, String name) throws IOException {
        if (dir.hasFlag(Inode.FL_INLINE_DATA) && name.equals("..")) {
            return Le.u32(dir.raw, Inode.I_BLOCK);
        }
        byte[] want = name.getBytes(StandardCharsets.UTF_8);
        if (dir.hasFlag(Inode.FL_INDEX) && !dir.hasFlag(Inode.FL_INLINE_DATA) && !name.equals(".") && !name.equals("..")) {
            long nBlocks = dirBlockCount(dir);
            FileLayout layout = data.layout(dir, nBlocks);
            HtreeProbe probe = htreeCandidates(dir, layout, nBlocks, want);
            if (probe != null && probe.complete()) {
                for (long l : probe.leaves()) {
                    long p = layout.physicalOf(l);
                    if (p < 0) {
                        continue;
                    }
                    byte[] b = readDirBlock(dir, l, p);
                    for (DirEntry e : DirectoryBlock.parse(b, 0, vol.bs, vol.bs, fileTypeFeature(), vol.sb.inodesCount, dirWhat(dir, l))) {
                        if (e.inode() != 0 && Arrays.equals(e.name(), want)) {
                            return e.inode();
                        }
                    }
                }
                return 0;
            }
        }
        long[] found = {0};
        forEachEntry(dir, e -> {
            if (e.inode() != 0 && Arrays.equals(e.name(), want)) {
                found[0] = e.inode();
                return true;
            }
            return false;
        });
        return found[0];
    }

    /** Blocks a directory's i_size covers, refusing sizes no directory can have. */
    long dirBlockCount(Inode dir) throws FileSystemException {
        long size = dir.size();
        if (size < 0 || data.blocksFor(size) > 0xFFFFFFFFL) {
            throw new FileSystemException(vol.where() + ": directory inode " + dir.number + " field i_size is " + Long.toUnsignedString(size)
                    + ", more than 2^32 blocks; run e2fsck");
        }
        return data.blocksFor(size);
    }

    int dirEnd(byte[] b) {
        return vol.sb.metadataCsum() && DirectoryBlock.hasTail(b, vol.bs) ? vol.bs - DirectoryBlock.TAIL_SIZE : vol.bs;
    }

    void writeDirBlock(Inode dir, long phys, byte[] b) throws IOException {
        if (vol.sb.metadataCsum()) {
            DirectoryBlock.seal(b, vol.bs, dir.metadataSeed(vol.sb.csumSeed));
        }
        vol.writeBlock(phys, b);
    }

    void refuseInline(Inode dir) throws FileSystemException {
        if (dir.hasFlag(Inode.FL_INLINE_DATA)) {
            throw new FileSystemException(vol.where() + ": directory inode " + dir.number
                    + " stores its entries inline (inline_data); changing it is not supported");
        }
    }

    void addEntry(Inode dirIn, String name, long ino, int ft) throws IOException {
        Inode dir = vol.readInode(dirIn.number);
        refuseInline(dir);
        byte[] nm = name.getBytes(StandardCharsets.UTF_8);
        int type = fileTypeFeature() ? ft : DirectoryBlock.FT_UNKNOWN;
        if (dir.hasFlag(Inode.FL_INDEX)) {
            // The index stays valid when the leaf the name hashes to has room; otherwise
            // splitting leaves is not implemented and the directory becomes linear.
            FileLayout indexed = data.layout(dir, Long.MAX_VALUE);
            HtreeProbe probe = htreeCandidates(dir, indexed, dirBlockCount(dir), nm);
            long leaf = probe == null ? -1 : probe.leaves().get(0);
            long p = leaf < 0 ? -1 : indexed.physicalOf(leaf);
            if (p >= 0) {
                byte[] b = readDirBlock(dir, leaf, p);
                List<DirEntry> es = DirectoryBlock.parse(b, 0, dirEnd(b), vol.bs, fileTypeFeature(), vol.sb.inodesCount, dirWhat(dir, leaf));
                if (DirectoryBlock.insert(es, b, ino, nm, type, fileTypeFeature())) {
                    writeDirBlock(dir, p, b);
                    touchDir(dir);
                    return;
                }
            }
            dropIndex(dir);
        }
        long nBlocks = dirBlockCount(dir);
        FileLayout layout = data.layout(dir, Long.MAX_VALUE);
        for (long[] lp : dirBlocks(layout, nBlocks)) {
            long l = lp[0];
            long p = lp[1];
            byte[] b = readDirBlock(dir, l, p);
            List<DirEntry> es = DirectoryBlock.parse(b, 0, dirEnd(b), vol.bs, fileTypeFeature(), vol.sb.inodesCount, dirWhat(dir, l));
            if (DirectoryBlock.insert(es, b, ino, nm, type, fileTypeFeature())) {
                writeDirBlock(dir, p, b);
                touchDir(dir);
                return;
            }
        }
        // No room: append a block and rebuild the mapping around it.
        List<Run> runs = new ArrayList<>(layout.runs());
        for (long b : layout.mappingBlocks()) {
            vol.freeBlocks(b, 1);
        }
        long goal = runs.isEmpty() ? data.goalFor(dir) : runs.get(runs.size() - 1).physical() + runs.get(runs.size() - 1).length();
        Run got = vol.allocateBlocks(goal, 1).get(0);
        Run added = new Run(nBlocks, got.physical(), 1, false);
        if (!runs.isEmpty()) {
            Run last = runs.get(runs.size() - 1);
            if (!last.unwritten() && last.logical() + last.length() == nBlocks && last.physical() + last.length() == got.physical()) {
                runs.set(runs.size() - 1, new Run(last.logical(), last.physical(), last.length() + 1, false));
                added = null;
            }
        }
        if (added != null) {
            runs.add(added);
        }
        long dataBlocks = 0;
        for (Run r : runs) {
            dataBlocks += r.length();
        }
        byte[] b = new byte[vol.bs];
        int end = vol.sb.metadataCsum() ? vol.bs - DirectoryBlock.TAIL_SIZE : vol.bs;
        DirectoryBlock.putEntry(b, 0, ino, end, nm, type, fileTypeFeature());
        writeDirBlock(dir, got.physical(), b);
        if (dir.hasFlag(Inode.FL_EXTENTS)) {
            List<Long> meta = ExtentTree.build(vol, dir, runs, got.physical());
            vol.setSectors(dir, (dataBlocks + meta.size() + data.xattrBlocks(dir)) * vol.sectorsPerBlock());
        } else {
            List<Long> meta = BlockMap.build(vol, dir, runs, got.physical());
            vol.setSectors(dir, (dataBlocks + meta.size() + data.xattrBlocks(dir)) * vol.sectorsPerBlock());
        }
        dir.setSize((nBlocks + 1) * vol.bs);
        touchDir(dir);
    }

    /**
     * The logical leaf blocks where {@code name} can be in a hashed directory, following the
     * dx_root and interior dx_node entries (directory.rst, "Hash Tree Directories"): the leaf
     * its hash selects (where a new entry goes), then following leaves of the same node that
     * continue a hash collision. Null when the index uses a layout not handled here; callers
     * then scan linearly.
     */
    HtreeProbe htreeCandidates(Inode dir, FileLayout layout, long nBlocks, byte[] name) throws IOException {
        long rootBlock = layout.physicalOf(0);
        if (rootBlock < 0) {
            return null;
        }
        byte[] node = readDirBlock(dir, 0, rootBlock);
        int infoLength = Le.u8(node, DX_INFO_LENGTH);
        int levels = Le.u8(node, DX_INDIRECT_LEVELS);
        int version = Le.u8(node, DX_HASH_VERSION);
        if (Le.u32(node, DirectoryBlock.DX_ROOT_INFO) != 0 || infoLength != DX_INFO_SIZE || levels > DX_MAX_LEVELS
                || version > DirHash.TEA) {
            return null;
        }
        if ((Le.u32(vol.sb.raw, Superblock.S_FLAGS) & Superblock.FLAG_UNSIGNED_HASH) != 0) {
            version += DirHash.LEGACY_UNSIGNED;
        }
        int[] seed = new int[4];
        for (int i = 0; i < 4; i++) {
            seed[i] = (int) Le.u32(vol.sb.raw, Superblock.S_HASH_SEED + 4 * i);
        }
        int hash = DirHash.hash(name, version, seed);
        int off = DirectoryBlock.DX_ROOT_INFO + infoLength;
        long block = 0;
        for (int level = 0; ; level++) {
            int limit = Le.u16(node, off);
            int count = Le.u16(node, off + 2);
            if (count == 0 || count > limit || off + (long) limit * DX_ENTRY_SIZE > vol.bs) {
                throw new FileSystemException(dirWhat(dir, block) + ": htree node has count " + count + " and limit " + limit
                        + ", which do not fit the block; run e2fsck");
            }
            // Entry 0 covers every hash below entry 1; pick the last entry whose hash is <= ours.
            int pick = 0;
            for (int i = 1; i < count; i++) {
                if (Integer.compareUnsigned((int) Le.u32(node, off + i * DX_ENTRY_SIZE), hash) > 0) {
                    break;
                }
                pick = i;
            }
            block = Le.u32(node, off + pick * DX_ENTRY_SIZE + 4) & DX_BLOCK_MASK;
            if (block == 0 || block >= nBlocks) {
                throw new FileSystemException(dirWhat(dir, 0) + ": htree entry points to block " + block
                        + " outside the directory of " + nBlocks + " blocks; run e2fsck");
            }
            if (level == levels) {
                List<Long> leaves = new ArrayList<>(List.of(block));
                int next = pick + 1;
                // Bit 0 of an index hash marks a name hash continued from the previous leaf.
                while (next < count && ((int) Le.u32(node, off + next * DX_ENTRY_SIZE) & ~1) == hash) {
                    long more = Le.u32(node, off + next * DX_ENTRY_SIZE + 4) & DX_BLOCK_MASK;
                    if (more == 0 || more >= nBlocks) {
                        throw new FileSystemException(dirWhat(dir, 0) + ": htree entry points to block " + more
                                + " outside the directory of " + nBlocks + " blocks; run e2fsck");
                    }
                    leaves.add(more);
                    next++;
                }
                // At the end of an interior node the collision chain may go on in the next one.
                return new HtreeProbe(leaves, next < count || levels == 0);
            }
            long p = layout.physicalOf(block);
            if (p < 0) {
                return null;
            }
            node = readDirBlock(dir, block, p);
            off = DX_NODE_ENTRIES;
        }
    }

    void touchDir(Inode dir) throws IOException {
        long t = FileData.now();
        Le.put32(dir.raw, Inode.I_MTIME, t);
        dir.setCtime(t);
        vol.writeInode(dir);
    }

    /**
     * Turns a hashed (htree) directory back into a linear one before inserting, instead of
     * maintaining the hash index: the index root and interior nodes become ordinary
     * directory blocks and EXT4_INDEX_FL is cleared. Readers treat it as a linear directory.
     */
    void dropIndex(Inode dir) throws IOException {
        long nBlocks = dirBlockCount(dir);
        FileLayout layout = data.layout(dir, nBlocks);
        int end = vol.sb.metadataCsum() ? vol.bs - DirectoryBlock.TAIL_SIZE : vol.bs;
        for (long[] lp : dirBlocks(layout, nBlocks)) {
            long l = lp[0];
            long p = lp[1];
            byte[] b = readDirBlock(dir, l, p);
            if (l == 0) {
                List<DirEntry> es = DirectoryBlock.parse(b, 0, vol.bs, vol.bs, fileTypeFeature(), vol.sb.inodesCount, dirWhat(dir, l));
                if (es.size() < 2 || es.get(0).recLen() != DirectoryBlock.DOT_REC_LEN || !Arrays.equals(es.get(1).name(), DirectoryBlock.DOTDOT)) {
                    throw new FileSystemException(dirWhat(dir, l) + ": htree root does not start with '.' and '..'; run e2fsck");
                }
                // Keep "." and "..", drop the dx_root info and entries that follow them.
                Arrays.fill(b, DirectoryBlock.DX_ROOT_INFO, vol.bs, (byte) 0);
                Le.put16(b, DirectoryBlock.DOT_REC_LEN + DirectoryBlock.DE_REC_LEN, DirectoryBlock.encodeRecLen(end - DirectoryBlock.DOT_REC_LEN));
                writeDirBlock(dir, p, b);
            } else if (Le.u32(b, 0) == 0 && DirectoryBlock.decodeRecLen(Le.u16(b, DirectoryBlock.DE_REC_LEN), vol.bs) == vol.bs) {
                // An interior index node: a fake empty entry spanning the block.
                Arrays.fill(b, 0, vol.bs, (byte) 0);
                Le.put16(b, DirectoryBlock.DE_REC_LEN, DirectoryBlock.encodeRecLen(end));
                writeDirBlock(dir, p, b);
            }
        }
        dir.setFlags(dir.flags() & ~Inode.FL_INDEX);
        vol.writeInode(dir);
    }

    void removeEntry(Inode dirIn, String name) throws IOException {
        Inode dir = vol.readInode(dirIn.number);
        refuseInline(dir);
        byte[] nm = name.getBytes(StandardCharsets.UTF_8);
        long nBlocks = dirBlockCount(dir);
        FileLayout layout = data.layout(dir, nBlocks);
        List<long[]> blocks = dirBlocks(layout, nBlocks);
        if (dir.hasFlag(Inode.FL_INDEX)) {
            // Look where the hash says first; the full scan behind it is only a safety net.
            HtreeProbe probe = htreeCandidates(dir, layout, nBlocks, nm);
            if (probe != null) {
                List<long[]> first = new ArrayList<>();
                for (long l : probe.leaves()) {
                    first.add(new long[] {l, layout.physicalOf(l)});
                }
                first.addAll(blocks);
                blocks = first;
            }
        }
        for (long[] lp : blocks) {
            long l = lp[0];
            long p = lp[1];
            if (p < 0) {
                continue;
            }
            byte[] b = readDirBlock(dir, l, p);
            int end = dirEnd(b);
            if (dir.hasFlag(Inode.FL_INDEX) && (l == 0 || (Le.u32(b, 0) == 0
                    && DirectoryBlock.decodeRecLen(Le.u16(b, DirectoryBlock.DE_REC_LEN), vol.bs) == vol.bs))) {
                continue; // htree root or interior node: no removable entries, no dirent tail
            }
            List<DirEntry> es = DirectoryBlock.parse(b, 0, end, vol.bs, fileTypeFeature(), vol.sb.inodesCount, dirWhat(dir, l));
            for (int i = 0; i < es.size(); i++) {
                if (es.get(i).inode() != 0 && Arrays.equals(es.get(i).name(), nm)) {
                    DirectoryBlock.remove(es, i, b);
                    writeDirBlock(dir, p, b);
                    touchDir(dir);
                    return;
                }
            }
        }
        throw new FileSystemException(vol.where() + ": entry " + name + " vanished from directory inode " + dir.number);
    }
}
