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
    private final ExtVolume vol;
    private final FileData data;

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
            long computed = Crc32c.update(dir.metadataSeed(vol.sb.csumSeed), b, 0, t) & 0xFFFFFFFFL;
            if (stored != computed) {
                throw new FileSystemException(dirWhat(dir, l) + ": directory block checksum 0x" + Long.toHexString(stored)
                        + " does not match computed 0x" + Long.toHexString(computed) + "; run e2fsck");
            }
        }
        return b;
    }

    long lookup(Inode dir, String name) throws IOException {
        if (dir.hasFlag(Inode.FL_INLINE_DATA) && name.equals("..")) {
            return Le.u32(dir.raw, Inode.I_BLOCK);
        }
        byte[] want = name.getBytes(StandardCharsets.UTF_8);
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
        if (dir.hasFlag(Inode.FL_INDEX)) {
            dropIndex(dir);
        }
        byte[] nm = name.getBytes(StandardCharsets.UTF_8);
        int type = fileTypeFeature() ? ft : DirectoryBlock.FT_UNKNOWN;
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
        for (long[] lp : dirBlocks(layout, nBlocks)) {
            long l = lp[0];
            long p = lp[1];
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
