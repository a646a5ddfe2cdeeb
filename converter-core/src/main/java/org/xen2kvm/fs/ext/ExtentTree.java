package org.xen2kvm.fs.ext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.xen2kvm.fs.FileSystemException;

/** Reads and builds extent trees (Documentation/filesystems/ext4/ifork.rst, "Extent Tree"). */
final class ExtentTree {
    static final int MAGIC = 0xF30A;
    static final int HEADER_SIZE = 12;
    static final int ENTRY_SIZE = 12;
    static final int EH_MAGIC = 0;
    static final int EH_ENTRIES = 2;
    static final int EH_MAX = 4;
    static final int EH_DEPTH = 6;
    /** The kernel never builds deeper trees (EXT4_MAX_EXTENT_DEPTH). */
    static final int MAX_DEPTH = 5;
    /** ee_len above this marks an unwritten (preallocated) extent of ee_len - 32768 blocks. */
    static final int MAX_INIT_LEN = 32768;
    static final int ROOT_ENTRIES = (Inode.I_BLOCK_SIZE - HEADER_SIZE) / ENTRY_SIZE;

    private ExtentTree() {
    }

    static int blockEntries(int bs) {
        return (bs - HEADER_SIZE) / ENTRY_SIZE;
    }

    /** Maps every extent of {@code inode} whose logical start is below {@code limit}. */
    static FileLayout read(ExtVolume vol, Inode inode, long limit) throws IOException {
        List<Run> runs = new ArrayList<>();
        List<Long> nodes = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        byte[] root = inode.iblock();
        int depth = Le.u16(root, EH_DEPTH);
        if (depth > MAX_DEPTH) {
            throw error(vol, inode, "root", "eh_depth", depth, "deeper than " + MAX_DEPTH);
        }
        walk(vol, inode, root, 0, ROOT_ENTRIES, depth, "root", limit, runs, nodes, seen);
        return new FileLayout(runs, nodes);
    }

    private static FileSystemException error(ExtVolume vol, Inode inode, String node, String field, Object value, String why) {
        return new FileSystemException(vol.where() + ": extent tree of inode " + inode.number + " node " + node
                + " field " + field + " is " + value + ": " + why + "; run e2fsck");
    }

    private static void walk(ExtVolume vol, Inode inode, byte[] b, int off, int capacity, int depth, String node,
            long limit, List<Run> runs, List<Long> nodes, Set<Long> seen) throws IOException {
        int magic = Le.u16(b, off + EH_MAGIC);
        if (magic != MAGIC) {
            throw error(vol, inode, node, "eh_magic", "0x" + Integer.toHexString(magic), "expected 0xf30a");
        }
        int entries = Le.u16(b, off + EH_ENTRIES);
        int max = Le.u16(b, off + EH_MAX);
        if (max > capacity || entries > max) {
            throw error(vol, inode, node, "eh_entries/eh_max", entries + "/" + max, "node holds at most " + capacity);
        }
        int d = Le.u16(b, off + EH_DEPTH);
        if (d != depth) {
            throw error(vol, inode, node, "eh_depth", d, "expected " + depth + " (a loop or a misplaced node)");
        }
        for (int i = 0; i < entries; i++) {
            int e = off + HEADER_SIZE + i * ENTRY_SIZE;
            long lblk = Le.u32(b, e);
            if (depth == 0) {
                int len = Le.u16(b, e + 4);
                boolean unwritten = len > MAX_INIT_LEN;
                if (unwritten) {
                    len -= MAX_INIT_LEN;
                }
                long start = (long) Le.u16(b, e + 6) << 32 | Le.u32(b, e + 8);
                if (len == 0 || start < vol.sb.firstDataBlock || start > vol.sb.blocksCount - len) {
                    throw error(vol, inode, node, "extent " + i, lblk + "+" + len + "@" + start, "outside the filesystem");
                }
                if (!runs.isEmpty()) {
                    Run prev = runs.get(runs.size() - 1);
                    if (lblk < prev.logical() + prev.length()) {
                        throw error(vol, inode, node, "extent " + i + " ee_block", lblk, "overlaps or precedes the previous extent");
                    }
                }
                if (lblk < limit) {
                    if (runs.size() > vol.sb.blocksCount) {
                        throw error(vol, inode, node, "extent count", runs.size(), "more extents than blocks");
                    }
                    runs.add(new Run(lblk, start, len, unwritten));
                }
            } else {
                if (lblk >= limit) {
                    continue;
                }
                long child = (long) Le.u16(b, e + 8) << 32 | Le.u32(b, e + 4);
                vol.checkBlock(child, "extent tree of inode " + inode.number + " index " + i + " in node " + node);
                if (!seen.add(child)) {
                    throw error(vol, inode, node, "index " + i + " ei_leaf", child, "block already visited (extent tree loop)");
                }
                nodes.add(child);
                byte[] cb = vol.readBlock(child, "extent node");
                if (vol.sb.metadataCsum() && Le.u16(cb, EH_MAGIC) == MAGIC) {
                    int tail = HEADER_SIZE + Math.min(Le.u16(cb, EH_MAX), blockEntries(vol.bs)) * ENTRY_SIZE;
                    long stored = Le.u32(cb, tail);
                    long computed = Crc32c.update(inode.metadataSeed(vol.sb.csumSeed), cb, 0, tail) & 0xFFFFFFFFL;
                    if (stored != computed) {
                        throw error(vol, inode, "block " + child, "eb_checksum", "0x" + Long.toHexString(stored),
                                "computed 0x" + Long.toHexString(computed));
                    }
                }
                walk(vol, inode, cb, 0, blockEntries(vol.bs), depth - 1, "block " + child, limit, runs, nodes, seen);
            }
        }
    }

    /**
     * Builds a tree for {@code runs} (sorted, logical order), allocating node blocks near
     * {@code goal}, and stores the root in {@code inode}. Returns the node blocks allocated.
     */
    static List<Long> build(ExtVolume vol, Inode inode, List<Run> runs, long goal) throws IOException {
        List<byte[]> entries = new ArrayList<>();
        for (Run r : runs) {
            long done = 0;
            while (done < r.length()) {
                int len = (int) Math.min(r.unwritten() ? MAX_INIT_LEN - 1 : MAX_INIT_LEN, r.length() - done);
                byte[] e = new byte[ENTRY_SIZE];
                long lblk = r.logical() + done;
                long start = r.physical() + done;
                Le.put32(e, 0, lblk);
                Le.put16(e, 4, r.unwritten() ? len + MAX_INIT_LEN : len);
                Le.put16(e, 6, (int) (start >>> 32));
                Le.put32(e, 8, start);
                entries.add(e);
                done += len;
            }
        }
        List<Long> allocated = new ArrayList<>();
        int depth = 0;
        int perBlock = blockEntries(vol.bs);
        while (entries.size() > ROOT_ENTRIES) {
            int nBlocks = (entries.size() + perBlock - 1) / perBlock;
            List<Long> blocks = new ArrayList<>();
            for (Run r : vol.allocateBlocks(goal, nBlocks)) {
                for (long x = 0; x < r.length(); x++) {
                    blocks.add(r.physical() + x);
                }
            }
            allocated.addAll(blocks);
            List<byte[]> index = new ArrayList<>();
            for (int k = 0; k < nBlocks; k++) {
                List<byte[]> part = entries.subList(k * perBlock, Math.min(entries.size(), (k + 1) * perBlock));
                byte[] node = new byte[vol.bs];
                writeNode(node, part, perBlock, depth);
                if (vol.sb.metadataCsum()) {
                    int tail = HEADER_SIZE + perBlock * ENTRY_SIZE;
                    Le.put32(node, tail, Crc32c.update(inode.metadataSeed(vol.sb.csumSeed), node, 0, tail) & 0xFFFFFFFFL);
                }
                long blk = blocks.get(k);
                vol.writeBlock(blk, node);
                byte[] ie = new byte[ENTRY_SIZE];
                System.arraycopy(part.get(0), 0, ie, 0, 4);
                Le.put32(ie, 4, blk);
                Le.put16(ie, 8, (int) (blk >>> 32));
                index.add(ie);
            }
            entries = index;
            depth++;
            if (depth > MAX_DEPTH) {
                throw new FileSystemException(vol.where() + ": inode " + inode.number + " would need an extent tree deeper than " + MAX_DEPTH);
            }
        }
        byte[] root = new byte[Inode.I_BLOCK_SIZE];
        writeNode(root, entries, ROOT_ENTRIES, depth);
        inode.setIblock(root);
        inode.setFlags(inode.flags() | Inode.FL_EXTENTS);
        return allocated;
    }

    private static void writeNode(byte[] node, List<byte[]> entries, int max, int depth) {
        Le.put16(node, EH_MAGIC, MAGIC);
        Le.put16(node, EH_ENTRIES, entries.size());
        Le.put16(node, EH_MAX, max);
        Le.put16(node, EH_DEPTH, depth);
        for (int i = 0; i < entries.size(); i++) {
            System.arraycopy(entries.get(i), 0, node, HEADER_SIZE + i * ENTRY_SIZE, ENTRY_SIZE);
        }
    }
}
