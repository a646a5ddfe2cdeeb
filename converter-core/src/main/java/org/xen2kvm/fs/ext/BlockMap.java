package org.xen2kvm.fs.ext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.xen2kvm.fs.FileSystemException;

/**
 * Classic ext2/3 block maps (Documentation/filesystems/ext4/blockmap.rst): twelve direct
 * pointers, then single, double and triple indirect blocks of 32-bit block numbers.
 */
final class BlockMap {
    static final int DIRECT = 12;
    static final int IND = 12;
    static final int DIND = 13;
    static final int TIND = 14;

    private BlockMap() {
    }

    static FileLayout read(ExtVolume vol, Inode inode, long limit) throws IOException {
        List<Run> runs = new ArrayList<>();
        List<Long> meta = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        byte[] ib = inode.iblock();
        long per = vol.bs / 4;
        for (int i = 0; i < DIRECT && i < limit; i++) {
            add(vol, inode, runs, i, Le.u32(ib, i * 4));
        }
        long base = DIRECT;
        long span = per;
        for (int level = 1; level <= 3; level++) {
            long ptr = Le.u32(ib, (IND + level - 1) * 4);
            if (ptr != 0 && base < limit) {
                walk(vol, inode, ptr, level, base, limit, runs, meta, seen);
            }
            base += span;
            span *= per;
        }
        return new FileLayout(runs, meta);
    }

    private static void walk(ExtVolume vol, Inode inode, long block, int level, long base, long limit,
            List<Run> runs, List<Long> meta, Set<Long> seen) throws IOException {
        vol.checkBlock(block, "indirect block (level " + level + ") of inode " + inode.number);
        if (!seen.add(block)) {
            throw new FileSystemException(vol.where() + ": block map of inode " + inode.number + " uses indirect block "
                    + block + " twice; run e2fsck");
        }
        meta.add(block);
        byte[] b = vol.readBlock(block, "indirect block");
        long per = vol.bs / 4;
        long childSpan = 1;
        for (int l = 1; l < level; l++) {
            childSpan *= per;
        }
        for (int i = 0; i < per; i++) {
            long lblk = base + i * childSpan;
            if (lblk >= limit) {
                break;
            }
            long ptr = Le.u32(b, i * 4);
            if (ptr == 0) {
                continue;
            }
            if (level == 1) {
                add(vol, inode, runs, lblk, ptr);
            } else {
                walk(vol, inode, ptr, level - 1, lblk, limit, runs, meta, seen);
            }
        }
    }

    private static void add(ExtVolume vol, Inode inode, List<Run> runs, long lblk, long ptr) throws FileSystemException {
        if (ptr == 0) {
            return;
        }
        vol.checkBlock(ptr, "block map of inode " + inode.number + " at logical block " + lblk);
        if (!runs.isEmpty()) {
            Run last = runs.get(runs.size() - 1);
            if (last.logical() + last.length() == lblk && last.physical() + last.length() == ptr) {
                runs.set(runs.size() - 1, new Run(last.logical(), last.physical(), last.length() + 1, false));
                return;
            }
        }
        if (runs.size() > vol.sb.blocksCount) {
            throw new FileSystemException(vol.where() + ": block map of inode " + inode.number + " maps more blocks than the filesystem has");
        }
        runs.add(new Run(lblk, ptr, 1, false));
    }

    /** Builds direct and indirect pointers for {@code runs}; returns the indirect blocks allocated. */
    static List<Long> build(ExtVolume vol, Inode inode, List<Run> runs, long goal) throws IOException {
        long per = vol.bs / 4;
        long maxLogical = DIRECT + per + per * per + per * per * per;
        // Count the indirect blocks first so they can be allocated together.
        Set<String> nodes = new java.util.LinkedHashSet<>();
        for (Run r : runs) {
            for (long l = r.logical(); l < r.logical() + r.length(); l++) {
                if (l >= maxLogical) {
                    throw new FileSystemException(vol.where() + ": logical block " + l + " is beyond what a block map can address");
                }
                for (String key : path(l, per)) {
                    nodes.add(key);
                }
            }
        }
        java.util.Map<String, Long> where = new java.util.HashMap<>();
        java.util.Map<String, byte[]> content = new java.util.HashMap<>();
        List<Long> allocated = new ArrayList<>();
        if (!nodes.isEmpty()) {
            List<Long> blocks = new ArrayList<>();
            for (Run r : vol.allocateBlocks(goal, nodes.size())) {
                for (long x = 0; x < r.length(); x++) {
                    blocks.add(r.physical() + x);
                }
            }
            int k = 0;
            for (String key : nodes) {
                where.put(key, blocks.get(k++));
                content.put(key, new byte[vol.bs]);
            }
            allocated.addAll(blocks);
        }
        byte[] ib = new byte[Inode.I_BLOCK_SIZE];
        for (Run r : runs) {
            for (long x = 0; x < r.length(); x++) {
                long l = r.logical() + x;
                long p = r.physical() + x;
                List<String> keys = path(l, per);
                if (keys.isEmpty()) {
                    Le.put32(ib, (int) l * 4, p);
                    continue;
                }
                // Link each node from its parent, then the data block from the last node.
                String top = keys.get(0);
                Le.put32(ib, slotOfTop(top) * 4, where.get(top));
                for (int i = 1; i < keys.size(); i++) {
                    String child = keys.get(i);
                    int slot = Integer.parseInt(child.substring(child.lastIndexOf('/') + 1));
                    Le.put32(content.get(keys.get(i - 1)), slot * 4, where.get(child));
                }
                long rel = relative(l, per);
                Le.put32(content.get(keys.get(keys.size() - 1)), (int) (rel % per) * 4, p);
            }
        }
        for (String key : nodes) {
            vol.writeBlock(where.get(key), content.get(key));
        }
        inode.setIblock(ib);
        inode.setFlags(inode.flags() & ~Inode.FL_EXTENTS);
        return allocated;
    }

    private static int slotOfTop(String top) {
        return switch (top.charAt(0)) {
            case 'S' -> IND;
            case 'D' -> DIND;
            default -> TIND;
        };
    }

    /** Offset of {@code l} inside the region of its top-level pointer. */
    private static long relative(long l, long per) {
        long x = l - DIRECT;
        if (x < per) {
            return x;
        }
        x -= per;
        if (x < per * per) {
            return x;
        }
        return x - per * per;
    }

    /** Keys of the indirect nodes on the way to logical block {@code l}, top first. */
    private static List<String> path(long l, long per) {
        List<String> keys = new ArrayList<>();
        if (l < DIRECT) {
            return keys;
        }
        long x = l - DIRECT;
        if (x < per) {
            keys.add("S");
            return keys;
        }
        x -= per;
        if (x < per * per) {
            keys.add("D");
            keys.add("D/" + x / per);
            return keys;
        }
        x -= per * per;
        keys.add("T");
        keys.add("T/" + x / (per * per));
        keys.add("T/" + x / (per * per) + "/" + (x / per) % per);
        return keys;
    }
}
