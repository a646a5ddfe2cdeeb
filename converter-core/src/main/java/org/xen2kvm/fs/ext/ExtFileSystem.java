package org.xen2kvm.fs.ext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.xen2kvm.disk.BlockDevice;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * An ext2, ext3 or ext4 filesystem on a {@link BlockDevice}, read and written in pure Java.
 * Writes go straight to the device; metadata counters and checksums are brought up to date
 * after every operation and on {@link #close()}.
 */
public final class ExtFileSystem implements GuestFileSystem {
    static final long ROOT_INO = 2;
    /** Symlinks followed while resolving one path before giving up (Linux MAXSYMLINKS). */
    static final int MAX_SYMLINK_HOPS = 40;
    /** Fast symlink targets live in i_block when shorter than its 60 bytes. */
    static final int FAST_SYMLINK_MAX = Inode.I_BLOCK_SIZE - 1;
    /** Directory link count above which dir_nlink stores 1 (EXT4_LINK_MAX). */
    static final int LINK_MAX = 65000;
    static final int DEFAULT_EXTRA_ISIZE = 32;
    /** s_last_orphan: head of the list of inodes deleted or truncated while open. */
    static final int SB_LAST_ORPHAN = 0xE8;
    /** Largest write, in bytes, issued to the device at once when copying file data. */
    private static final int IO_CHUNK = 1 << 20;
    /** Extended attribute block header (attributes.rst): magic, refcount, checksum. */
    static final long XATTR_BLOCK_MAGIC = 0xEA020000L;
    static final int XATTR_H_REFCOUNT = 4;
    static final int XATTR_H_CHECKSUM = 0x10;

    private final BlockDevice dev;
    private final ExtVolume vol;
    private final boolean writable;
    private final Random generations = new Random();
    private boolean closed;

    private ExtFileSystem(BlockDevice dev, ExtVolume vol, boolean writable) {
        this.dev = dev;
        this.vol = vol;
        this.writable = writable;
    }

    /** True when the device carries the ext2/3/4 magic number in its superblock. */
    public static boolean probe(BlockDevice device) throws IOException {
        if (device.size() < Superblock.OFFSET + Superblock.SIZE) {
            return false;
        }
        byte[] m = device.readBytes(Superblock.OFFSET + Superblock.S_MAGIC, 2);
        return Le.u16(m, 0) == Superblock.MAGIC;
    }

    /**
     * Opens the filesystem.
     *
     * @throws FileSystemException when the image is corrupt, needs journal recovery, or uses
     *                             features this implementation cannot handle (named in the message)
     */
    public static ExtFileSystem open(BlockDevice device, boolean writable) throws IOException {
        String where = device.describe();
        if (device.size() < Superblock.OFFSET + Superblock.SIZE) {
            throw new FileSystemException(where + ": device of " + device.size() + " bytes is too small for an ext superblock");
        }
        if (writable && !device.isWritable()) {
            throw new FileSystemException(where + ": cannot open the filesystem writable on a read-only device");
        }
        Superblock sb = new Superblock(device.readBytes(Superblock.OFFSET, Superblock.SIZE), where, device.size());
        checkFeatures(sb, writable);
        GroupDescriptors gd = new GroupDescriptors(sb, device);
        ExtVolume vol = new ExtVolume(device, sb, gd);
        if (sb.has(ExtFeatures.INCOMPAT_RECOVER)) {
            vol = recover(vol, writable);
            checkFeatures(vol.sb, writable);
        }
        ExtFileSystem fs = new ExtFileSystem(vol.dev, vol, writable);
        if (writable) {
            vol.syncSuperblockCounters();
        }
        Inode root = vol.readInode(ROOT_INO);
        if (!root.isDir()) {
            throw new FileSystemException(where + ": root inode 2 has mode 0" + Integer.toOctalString(root.mode())
                    + ", not a directory; run e2fsck");
        }
        return fs;
    }

    private static void checkFeatures(Superblock sb, boolean writable) throws FileSystemException {
        String where = sb.where;
        int unreadable = sb.incompat & ~ExtFeatures.INCOMPAT_READABLE;
        if (unreadable != 0) {
            throw new FileSystemException(where + ": unsupported incompatible ext features "
                    + ExtFeatures.describe(ExtFeatures.INCOMPAT_NAMES, "incompat", unreadable & 0xFFFFFFFFL)
                    + " (s_feature_incompat 0x" + Integer.toHexString(sb.incompat) + "); cannot read this filesystem");
        }
        if (sb.hasRo(ExtFeatures.RO_BIGALLOC)) {
            throw new FileSystemException(where + ": unsupported ro_compat feature bigalloc (clusters larger than blocks)");
        }
        if (writable) {
            int badIn = sb.incompat & ~ExtFeatures.INCOMPAT_WRITABLE & ~ExtFeatures.INCOMPAT_RECOVER;
            int badRo = sb.roCompat & ~ExtFeatures.RO_COMPAT_WRITABLE;
            if (badIn != 0 || badRo != 0) {
                List<String> names = new ArrayList<>(ExtFeatures.describe(ExtFeatures.INCOMPAT_NAMES, "incompat", badIn & 0xFFFFFFFFL));
                names.addAll(ExtFeatures.describe(ExtFeatures.RO_COMPAT_NAMES, "ro_compat", badRo & 0xFFFFFFFFL));
                throw new FileSystemException(where + ": cannot write a filesystem with features " + names
                        + "; open it read-only");
            }
        }
    }

    /**
     * Replays the journal of a filesystem flagged needs_recovery: into the device when
     * writable (then clears the flag), otherwise into a read-only in-memory overlay.
     */
    private static ExtVolume recover(ExtVolume vol, boolean writable) throws IOException {
        Superblock sb = vol.sb;
        long jino = Le.u32(sb.raw, JournalReplay.SB_JOURNAL_INUM);
        if ((sb.compat & ExtFeatures.COMPAT_HAS_JOURNAL) == 0 || jino == 0) {
            throw new FileSystemException(sb.where + ": the journal needs recovery (feature needs_recovery) but it is"
                    + " external or missing (s_journal_inum " + jino + "); replay it with e2fsck -fy on a copy");
        }
        Inode journal = vol.readInode(jino);
        FileLayout layout = journal.hasFlag(Inode.FL_EXTENTS) ? ExtentTree.read(vol, journal, Long.MAX_VALUE)
                : BlockMap.read(vol, journal, Long.MAX_VALUE);
        JournalReplay.Plan plan = JournalReplay.plan(vol, layout);
        BlockDevice overlay = new JournalOverlayDevice(vol.dev, vol, plan.blocks());
        Superblock after = new Superblock(overlay.readBytes(Superblock.OFFSET, Superblock.SIZE), sb.where, overlay.size());
        if (!writable) {
            return new ExtVolume(overlay, after, new GroupDescriptors(after, overlay));
        }
        if (Le.u32(after.raw, SB_LAST_ORPHAN) != 0) {
            throw new FileSystemException(sb.where + ": after journal replay inodes remain on the orphan list (s_last_orphan "
                    + Le.u32(after.raw, SB_LAST_ORPHAN) + "); run e2fsck -fy on a copy or open read-only");
        }
        JournalReplay.apply(vol, plan);
        byte[] raw = vol.dev.readBytes(Superblock.OFFSET, Superblock.SIZE);
        Le.put32(raw, Superblock.S_FEATURE_INCOMPAT, Le.u32(raw, Superblock.S_FEATURE_INCOMPAT) & ~ExtFeatures.INCOMPAT_RECOVER);
        if ((Le.u32(raw, Superblock.S_FEATURE_RO_COMPAT) & ExtFeatures.RO_METADATA_CSUM) != 0) {
            Le.put32(raw, Superblock.S_CHECKSUM, Crc32c.update(~0, raw, 0, Superblock.S_CHECKSUM) & 0xFFFFFFFFL);
        }
        vol.dev.write(Superblock.OFFSET, ByteBuffer.wrap(raw));
        vol.dev.flush();
        Superblock fresh = new Superblock(raw, sb.where, vol.dev.size());
        return new ExtVolume(vol.dev, fresh, new GroupDescriptors(fresh, vol.dev));
    }

    public ExtSuperblockInfo info() {
        Superblock sb = vol.sb;
        return new ExtSuperblockInfo(sb.uuid(), sb.label(), sb.blockSize, sb.blocksCount, sb.freeBlocks(),
                sb.inodesCount, sb.freeInodes(), sb.featureNames());
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public String describe() {
        Superblock sb = vol.sb;
        String type = sb.has(ExtFeatures.INCOMPAT_EXTENTS) || sb.has(ExtFeatures.INCOMPAT_FLEX_BG) || sb.has(ExtFeatures.INCOMPAT_64BIT)
                || sb.metadataCsum() ? "ext4" : (sb.compat & ExtFeatures.COMPAT_HAS_JOURNAL) != 0 ? "ext3" : "ext2";
        return dev.describe() + " (" + type + ")";
    }

    @Override
    public void close() throws IOException {
        if (!closed && writable) {
            vol.flush();
        }
        closed = true;
    }

    // ---------------------------------------------------------------- reading

    private static final class Located {
        final Inode inode;
        final String name;

        Located(Inode inode, String name) {
            this.inode = inode;
            this.name = name;
        }
    }

    private static Deque<String> components(String path) throws FileSystemException {
        if (path == null || !path.startsWith("/")) {
            throw new FileSystemException("path '" + path + "' is not absolute");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty() && !p.equals(".")) {
                parts.add(p);
            }
        }
        return parts;
    }

    /** Resolves {@code path}; returns null when a component is missing (or not a directory). */
    private Inode resolve(String path, boolean followLast) throws IOException {
        Deque<String> parts = components(path);
        Inode cur = vol.readInode(ROOT_INO);
        int hops = 0;
        while (!parts.isEmpty()) {
            String name = parts.removeFirst();
            if (!cur.isDir()) {
                return null;
            }
            long ino = lookup(cur, name);
            if (ino == 0) {
                return null;
            }
            Inode next = vol.readInode(ino);
            if (next.isSymlink() && (!parts.isEmpty() || followLast)) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw new FileSystemException(vol.where() + ": too many levels of symbolic links resolving " + path);
                }
                String target = readlinkInode(next);
                Deque<String> t = components(target.startsWith("/") ? target : "/" + target);
                while (!t.isEmpty()) {
                    parts.addFirst(t.removeLast());
                }
                if (target.startsWith("/")) {
                    cur = vol.readInode(ROOT_INO);
                }
                continue;
            }
            cur = next;
        }
        return cur;
    }

    private FileInfo info(String path, Inode inode) {
        return new FileInfo(path, inode.fileType(), inode.mode() & 07777, inode.uid(), inode.gid(), inode.size(), inode.mtime());
    }

    @Override
    public Optional<FileInfo> lstat(String path) throws IOException {
        Inode i = resolve(path, false);
        return i == null ? Optional.empty() : Optional.of(info(path, i));
    }

    @Override
    public Optional<FileInfo> stat(String path) throws IOException {
        Inode i = resolve(path, true);
        return i == null ? Optional.empty() : Optional.of(info(path, i));
    }

    private Inode require(String path, boolean follow) throws IOException {
        Inode i = resolve(path, follow);
        if (i == null) {
            throw new FileSystemException(vol.where() + ": " + path + ": no such file or directory");
        }
        return i;
    }

    @Override
    public byte[] readFile(String path, int maxBytes) throws IOException {
        Inode i = require(path, true);
        if (!i.isRegular()) {
            throw new FileSystemException(vol.where() + ": " + path + " is a " + i.fileType() + ", not a regular file");
        }
        if (i.size() > maxBytes || i.size() < 0) {
            throw new FileSystemException(vol.where() + ": " + path + " is " + Long.toUnsignedString(i.size()) + " bytes, over the limit of " + maxBytes);
        }
        return content(i);
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

    /** Blocks a directory's i_size covers, refusing sizes no directory can have. */
    private long dirBlockCount(Inode dir) throws FileSystemException {
        long size = dir.size();
        if (size < 0 || blocksFor(size) > 0xFFFFFFFFL) {
            throw new FileSystemException(vol.where() + ": directory inode " + dir.number + " field i_size is " + Long.toUnsignedString(size)
                    + ", more than 2^32 blocks; run e2fsck");
        }
        return blocksFor(size);
    }

    private long blocksFor(long size) {
        return (size + vol.bs - 1) / vol.bs;
    }

    /** Whole content of a file whose size the caller has bounded. */
    private byte[] content(Inode inode) throws IOException {
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
            dev.read(r.physical() * vol.bs, ByteBuffer.wrap(out, (int) from, bytes));
        }
        return out;
    }

    @Override
    public String readlink(String path) throws IOException {
        Inode i = require(path, false);
        if (!i.isSymlink()) {
            throw new FileSystemException(vol.where() + ": " + path + " is not a symbolic link");
        }
        return readlinkInode(i);
    }

    private String readlinkInode(Inode i) throws IOException {
        long size = i.size();
        if (size > vol.bs || size > 4096 || size < 0) {
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

    /** Calls {@code v} for each entry of a directory, block by block. */
    private interface EntryVisitor {
        /** Return true to stop. */
        boolean visit(DirEntry e) throws IOException;
    }

    private boolean fileTypeFeature() {
        return vol.sb.has(ExtFeatures.INCOMPAT_FILETYPE);
    }

    private String dirWhat(Inode dir, long lblk) {
        return vol.where() + ": directory inode " + dir.number + " block " + lblk;
    }

    private void forEachEntry(Inode dir, EntryVisitor v) throws IOException {
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
        FileLayout layout = layout(dir, nBlocks);
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

    /** Reads a directory block, checking its checksum tail where metadata_csum put one. */
    private byte[] readDirBlock(Inode dir, long l, long p) throws IOException {
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

    private long lookup(Inode dir, String name) throws IOException {
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

    @Override
    public List<String> list(String path) throws IOException {
        Inode d = require(path, true);
        if (!d.isDir()) {
            throw new FileSystemException(vol.where() + ": " + path + " is not a directory");
        }
        List<String> names = new ArrayList<>();
        forEachEntry(d, e -> {
            String n = new String(e.name(), StandardCharsets.UTF_8);
            if (e.inode() != 0 && !n.equals(".") && !n.equals("..")) {
                names.add(n);
            }
            return false;
        });
        names.sort(null);
        return names;
    }

    // ---------------------------------------------------------------- writing

    private void checkWritable() throws FileSystemException {
        if (!writable) {
            throw new FileSystemException(vol.where() + ": filesystem is opened read-only");
        }
        if (closed) {
            throw new FileSystemException(vol.where() + ": filesystem is closed");
        }
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** The directory that will hold {@code path}'s last component, and that component. */
    private Located parentOf(String path) throws IOException {
        Deque<String> parts = components(path);
        if (parts.isEmpty()) {
            throw new FileSystemException(vol.where() + ": cannot modify the root directory entry itself");
        }
        String name = parts.removeLast();
        if (name.equals("..")) {
            throw new FileSystemException(vol.where() + ": " + path + ": '..' cannot be created or removed");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > DirectoryBlock.MAX_NAME) {
            throw new FileSystemException(vol.where() + ": " + path + ": name longer than 255 bytes");
        }
        String parentPath = "/" + String.join("/", parts);
        Inode parent = resolve(parentPath, true);
        if (parent == null || !parent.isDir()) {
            throw new FileSystemException(vol.where() + ": " + path + ": parent directory " + parentPath + " does not exist");
        }
        return new Located(parent, name);
    }

    @Override
    public void writeFile(String path, byte[] data, int mode, int uid, int gid) throws IOException {
        checkWritable();
        Located loc = parentOf(path);
        long existing = lookup(loc.inode, loc.name);
        if (existing != 0) {
            Inode target = vol.readInode(existing);
            if (target.isSymlink()) {
                target = resolve(path, true);
                if (target == null) {
                    throw new FileSystemException(vol.where() + ": " + path + " is a dangling symbolic link; write its target instead");
                }
            }
            if (!target.isRegular()) {
                throw new FileSystemException(vol.where() + ": " + path + " is a " + target.fileType() + ", not a regular file");
            }
            if (target.hasFlag(Inode.FL_INLINE_DATA) || target.hasFlag(Inode.FL_ENCRYPT) || target.hasFlag(Inode.FL_VERITY)) {
                throw new FileSystemException(vol.where() + ": " + path + " uses inline data, encryption or verity; rewriting it is not supported");
            }
            ensureSpace(blocksFor(data.length), vol.sectors(target) / (vol.bs / 512));
            releaseData(target);
            storeData(target, data);
            long t = now();
            Le.put32(target.raw, Inode.I_MTIME, t);
            target.setCtime(t);
            vol.writeInode(target);
        } else {
            ensureSpace(blocksFor(data.length), 0);
            Inode inode = newInode(loc.inode, Inode.S_IFREG | (mode & 07777), uid, gid, false);
            try {
                storeData(inode, data);
                inode.setLinks(1);
                vol.writeInode(inode);
                addEntry(loc.inode, loc.name, inode.number, DirectoryBlock.FT_REG);
            } catch (IOException | RuntimeException e) {
                abandon(inode, e);
                throw e;
            }
        }
        vol.flush();
    }

    @Override
    public void mkdir(String path, int mode, int uid, int gid) throws IOException {
        checkWritable();
        Located loc = parentOf(path);
        if (lookup(loc.inode, loc.name) != 0) {
            throw new FileSystemException(vol.where() + ": " + path + ": already exists");
        }
        Inode parent = loc.inode;
        if (parent.links() >= LINK_MAX - 1 && !vol.sb.hasRo(ExtFeatures.RO_DIR_NLINK)) {
            throw new FileSystemException(vol.where() + ": " + path + ": parent has too many subdirectories");
        }
        ensureSpace(1, 0);
        Inode dir = newInode(parent, Inode.S_IFDIR | (mode & 07777), uid, gid, true);
        byte[] block = new byte[vol.bs];
        int end = vol.sb.metadataCsum() ? vol.bs - DirectoryBlock.TAIL_SIZE : vol.bs;
        DirectoryBlock.putEntry(block, 0, dir.number, 12, ".".getBytes(StandardCharsets.US_ASCII), DirectoryBlock.FT_DIR, fileTypeFeature());
        DirectoryBlock.putEntry(block, 12, parent.number, end - 12, "..".getBytes(StandardCharsets.US_ASCII), DirectoryBlock.FT_DIR, fileTypeFeature());
        List<Run> runs = allocateData(dir, 1);
        dir.setSize(vol.bs);
        dir.setLinks(2);
        finishMapping(dir, runs, 1);
        writeDirBlock(dir, runs.get(0).physical(), block);
        vol.writeInode(dir);
        addEntry(parent, loc.name, dir.number, DirectoryBlock.FT_DIR);
        parent = vol.readInode(parent.number);
        int links = parent.links();
        if (links != 1) {
            parent.setLinks(links + 1 >= LINK_MAX ? 1 : links + 1);
        }
        vol.writeInode(parent);
        vol.flush();
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        checkWritable();
        Located loc = parentOf(path);
        if (lookup(loc.inode, loc.name) != 0) {
            throw new FileSystemException(vol.where() + ": " + path + ": already exists");
        }
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        if (t.length == 0 || t.length >= Math.min(vol.bs, 4096)) {
            throw new FileSystemException(vol.where() + ": symlink target of " + t.length + " bytes for " + path
                    + " must be 1 to " + (Math.min(vol.bs, 4096) - 1) + " bytes");
        }
        ensureSpace(1, 0);
        Inode inode = newInode(loc.inode, Inode.S_IFLNK | 0777, 0, 0, false);
        if (t.length <= FAST_SYMLINK_MAX) {
            byte[] ib = new byte[Inode.I_BLOCK_SIZE];
            System.arraycopy(t, 0, ib, 0, t.length);
            inode.setIblock(ib);
            inode.setFlags(inode.flags() & ~Inode.FL_EXTENTS);
            inode.setSize(t.length);
        } else {
            storeData(inode, t);
        }
        inode.setLinks(1);
        vol.writeInode(inode);
        addEntry(loc.inode, loc.name, inode.number, DirectoryBlock.FT_SYMLINK);
        vol.flush();
    }

    @Override
    public void delete(String path) throws IOException {
        checkWritable();
        Located loc = parentOf(path);
        long ino = lookup(loc.inode, loc.name);
        if (ino == 0) {
            throw new FileSystemException(vol.where() + ": " + path + ": no such file or directory");
        }
        Inode victim = vol.readInode(ino);
        if (victim.isDir()) {
            List<String> names = list(path);
            if (!names.isEmpty()) {
                throw new FileSystemException(vol.where() + ": " + path + ": directory not empty");
            }
        }
        removeEntry(loc.inode, loc.name);
        if (victim.isDir()) {
            Inode parent = vol.readInode(loc.inode.number);
            int links = parent.links();
            if (links > 2) {
                parent.setLinks(links - 1);
            }
            parent.setCtime(now());
            vol.writeInode(parent);
            freeInode(victim);
        } else if (victim.links() > 1) {
            victim.setLinks(victim.links() - 1);
            victim.setCtime(now());
            vol.writeInode(victim);
        } else {
            freeInode(victim);
        }
        vol.flush();
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        checkWritable();
        Inode i = require(path, true);
        i.setMode((i.mode() & Inode.S_IFMT) | (mode & 07777));
        i.setCtime(now());
        vol.writeInode(i);
        vol.flush();
    }

    /** Sets owner and times of {@code path} (following symlinks). */
    public void chown(String path, int uid, int gid) throws IOException {
        checkWritable();
        Inode i = require(path, true);
        i.setOwner(uid, gid);
        i.setCtime(now());
        vol.writeInode(i);
        vol.flush();
    }

    /** Sets access and modification times (seconds since the epoch) of {@code path}. */
    public void setTimes(String path, long atime, long mtime) throws IOException {
        checkWritable();
        Inode i = require(path, true);
        i.setTimes(atime, now(), mtime);
        vol.writeInode(i);
        vol.flush();
    }

    // ---------------------------------------------------------------- write helpers

    /**
     * Refuses an operation up front when the data, its worst-case mapping blocks and a new
     * directory block would not fit, so that a full filesystem is never left half-changed.
     */
    private void ensureSpace(long dataBlocks, long releasedBlocks) throws FileSystemException {
        long perNode = ExtentTree.blockEntries(vol.bs);
        long need = dataBlocks + 2 * ((dataBlocks + perNode - 1) / perNode) + 4;
        if (need > vol.sb.freeBlocks() + releasedBlocks) {
            throw new FileSystemException(vol.where() + ": no space: need up to " + need + " blocks, "
                    + (vol.sb.freeBlocks() + releasedBlocks) + " available");
        }
    }

    /** Undoes a half-created inode after a failure, keeping bitmaps consistent. */
    private void abandon(Inode inode, Exception cause) {
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

    private boolean useExtents() {
        return vol.sb.has(ExtFeatures.INCOMPAT_EXTENTS);
    }

    private Inode newInode(Inode parent, int mode, int uid, int gid, boolean dir) throws IOException {
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

    private long goalFor(Inode inode) {
        return vol.groupStart(vol.groupOfInode(inode.number));
    }

    private List<Run> allocateData(Inode inode, long blocks) throws IOException {
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
    private void finishMapping(Inode inode, List<Run> runs, long dataBlocks) throws IOException {
        long goal = runs.isEmpty() ? goalFor(inode) : runs.get(runs.size() - 1).physical();
        List<Long> meta = useExtents() ? ExtentTree.build(vol, inode, runs, goal) : BlockMap.build(vol, inode, runs, goal);
        long sectors = Math.multiplyExact(dataBlocks + meta.size() + xattrBlocks(inode), (long) (vol.bs / 512));
        vol.setSectors(inode, sectors);
    }

    private long xattrBlocks(Inode inode) {
        return inode.fileAcl(vol.is64()) != 0 ? 1 : 0;
    }

    /** Writes {@code data} into freshly allocated blocks of {@code inode} (which owns none). */
    private void storeData(Inode inode, byte[] data) throws IOException {
        long nBlocks = blocksFor(data.length);
        List<Run> runs = allocateData(inode, nBlocks);
        for (Run r : runs) {
            long from = r.logical() * vol.bs;
            long to = Math.min(data.length, (r.logical() + r.length()) * vol.bs);
            for (long off = from; off < to; off += IO_CHUNK) {
                int n = (int) Math.min(IO_CHUNK, to - off);
                dev.write(r.physical() * vol.bs + (off - from), ByteBuffer.wrap(data, (int) off, n));
            }
            long paddedEnd = (r.logical() + r.length()) * vol.bs;
            if (to < paddedEnd) {
                dev.write(r.physical() * vol.bs + (to - from), ByteBuffer.wrap(new byte[(int) (paddedEnd - to)]));
            }
        }
        finishMapping(inode, runs, nBlocks);
        inode.setSize(data.length);
    }

    /** Frees every data and mapping block of {@code inode} and leaves it empty. */
    private void releaseData(Inode inode) throws IOException {
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
        vol.setSectors(inode, xattrBlocks(inode) * (vol.bs / 512));
    }

    private void freeInode(Inode inode) throws IOException {
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
    private void releaseXattrBlock(Inode inode) throws IOException {
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

    private int dirEnd(byte[] b) {
        return vol.sb.metadataCsum() && DirectoryBlock.hasTail(b, vol.bs) ? vol.bs - DirectoryBlock.TAIL_SIZE : vol.bs;
    }

    private void writeDirBlock(Inode dir, long phys, byte[] b) throws IOException {
        if (vol.sb.metadataCsum()) {
            DirectoryBlock.seal(b, vol.bs, dir.metadataSeed(vol.sb.csumSeed));
        }
        vol.writeBlock(phys, b);
    }

    private void refuseInline(Inode dir) throws FileSystemException {
        if (dir.hasFlag(Inode.FL_INLINE_DATA)) {
            throw new FileSystemException(vol.where() + ": directory inode " + dir.number
                    + " stores its entries inline (inline_data); changing it is not supported");
        }
    }

    private void addEntry(Inode dirIn, String name, long ino, int ft) throws IOException {
        Inode dir = vol.readInode(dirIn.number);
        refuseInline(dir);
        if (dir.hasFlag(Inode.FL_INDEX)) {
            dropIndex(dir);
        }
        byte[] nm = name.getBytes(StandardCharsets.UTF_8);
        int type = fileTypeFeature() ? ft : DirectoryBlock.FT_UNKNOWN;
        long nBlocks = dirBlockCount(dir);
        FileLayout layout = layout(dir, Long.MAX_VALUE);
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
        long goal = runs.isEmpty() ? goalFor(dir) : runs.get(runs.size() - 1).physical() + runs.get(runs.size() - 1).length();
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
            vol.setSectors(dir, (dataBlocks + meta.size() + xattrBlocks(dir)) * (vol.bs / 512));
        } else {
            List<Long> meta = BlockMap.build(vol, dir, runs, got.physical());
            vol.setSectors(dir, (dataBlocks + meta.size() + xattrBlocks(dir)) * (vol.bs / 512));
        }
        dir.setSize((nBlocks + 1) * vol.bs);
        touchDir(dir);
    }

    private void touchDir(Inode dir) throws IOException {
        long t = now();
        Le.put32(dir.raw, Inode.I_MTIME, t);
        dir.setCtime(t);
        vol.writeInode(dir);
    }

    /**
     * Turns a hashed (htree) directory back into a linear one before inserting, instead of
     * maintaining the hash index: the index root and interior nodes become ordinary
     * directory blocks and EXT4_INDEX_FL is cleared. Readers treat it as a linear directory.
     */
    private void dropIndex(Inode dir) throws IOException {
        long nBlocks = dirBlockCount(dir);
        FileLayout layout = layout(dir, nBlocks);
        int end = vol.sb.metadataCsum() ? vol.bs - DirectoryBlock.TAIL_SIZE : vol.bs;
        for (long[] lp : dirBlocks(layout, nBlocks)) {
            long l = lp[0];
            long p = lp[1];
            byte[] b = readDirBlock(dir, l, p);
            if (l == 0) {
                List<DirEntry> es = DirectoryBlock.parse(b, 0, vol.bs, vol.bs, fileTypeFeature(), vol.sb.inodesCount, dirWhat(dir, l));
                if (es.size() < 2 || es.get(0).recLen() != 12 || !Arrays.equals(es.get(1).name(), new byte[] {'.', '.'})) {
                    throw new FileSystemException(dirWhat(dir, l) + ": htree root does not start with '.' and '..'; run e2fsck");
                }
                Arrays.fill(b, 24, vol.bs, (byte) 0);
                Le.put16(b, 12 + DirectoryBlock.DE_REC_LEN, DirectoryBlock.encodeRecLen(end - 12));
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

    private void removeEntry(Inode dirIn, String name) throws IOException {
        Inode dir = vol.readInode(dirIn.number);
        refuseInline(dir);
        byte[] nm = name.getBytes(StandardCharsets.UTF_8);
        long nBlocks = dirBlockCount(dir);
        FileLayout layout = layout(dir, nBlocks);
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
