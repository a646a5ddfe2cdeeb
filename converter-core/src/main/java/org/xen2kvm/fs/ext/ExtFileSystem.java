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
import org.xen2kvm.image.BlockDevice;
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
    static final int FAST_SYMLINK_MAX = FileData.FAST_SYMLINK_MAX;
    /** Directory link count above which dir_nlink stores 1 (EXT4_LINK_MAX). */
    static final int LINK_MAX = 65000;
    /** s_last_orphan: head of the list of inodes deleted or truncated while open. */
    static final int SB_LAST_ORPHAN = 0xE8;

    private final BlockDevice dev;
    private final ExtVolume vol;
    private final boolean writable;
    private final FileData files;
    private final Directories dirs;
    private boolean closed;

    private ExtFileSystem(BlockDevice dev, ExtVolume vol, boolean writable) {
        this.dev = dev;
        this.vol = vol;
        this.writable = writable;
        this.files = new FileData(vol);
        this.dirs = new Directories(vol, files);
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
        return dev.describe() + " (" + type() + ")";
    }

    /** {@code ext4} (extents, flex_bg, 64bit or metadata checksums), {@code ext3} (a journal) or {@code ext2}. */
    public String type() {
        Superblock sb = vol.sb;
        return sb.has(ExtFeatures.INCOMPAT_EXTENTS) || sb.has(ExtFeatures.INCOMPAT_FLEX_BG) || sb.has(ExtFeatures.INCOMPAT_64BIT)
                || sb.metadataCsum() ? "ext4" : (sb.compat & ExtFeatures.COMPAT_HAS_JOURNAL) != 0 ? "ext3" : "ext2";
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
            long ino = dirs.lookup(cur, name);
            if (ino == 0) {
                return null;
            }
            Inode next = vol.readInode(ino);
            if (next.isSymlink() && (!parts.isEmpty() || followLast)) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw new FileSystemException(vol.where() + ": too many levels of symbolic links resolving " + path);
                }
                String target = files.symlinkTarget(next);
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
        return files.content(i);
    }





    @Override
    public String readlink(String path) throws IOException {
        Inode i = require(path, false);
        if (!i.isSymlink()) {
            throw new FileSystemException(vol.where() + ": " + path + " is not a symbolic link");
        }
        return files.symlinkTarget(i);
    }









    @Override
    public List<String> list(String path) throws IOException {
        Inode d = require(path, true);
        if (!d.isDir()) {
            throw new FileSystemException(vol.where() + ": " + path + " is not a directory");
        }
        List<String> names = new ArrayList<>();
        dirs.forEachEntry(d, e -> {
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
        long existing = dirs.lookup(loc.inode, loc.name);
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
            files.ensureSpace(files.blocksFor(data.length), vol.sectors(target) / vol.sectorsPerBlock());
            files.releaseData(target);
            files.storeData(target, data);
            long t = FileData.now();
            Le.put32(target.raw, Inode.I_MTIME, t);
            target.setCtime(t);
            vol.writeInode(target);
        } else {
            files.ensureSpace(files.blocksFor(data.length), 0);
            Inode inode = files.newInode(loc.inode, Inode.S_IFREG | (mode & 07777), uid, gid, false);
            try {
                files.storeData(inode, data);
                inode.setLinks(1);
                vol.writeInode(inode);
                dirs.addEntry(loc.inode, loc.name, inode.number, DirectoryBlock.FT_REG);
            } catch (IOException | RuntimeException e) {
                files.abandon(inode, e);
                throw e;
            }
        }
        vol.flush();
    }

    @Override
    public void mkdir(String path, int mode, int uid, int gid) throws IOException {
        checkWritable();
        Located loc = parentOf(path);
        if (dirs.lookup(loc.inode, loc.name) != 0) {
            throw new FileSystemException(vol.where() + ": " + path + ": already exists");
        }
        Inode parent = loc.inode;
        if (parent.links() >= LINK_MAX - 1 && !vol.sb.hasRo(ExtFeatures.RO_DIR_NLINK)) {
            throw new FileSystemException(vol.where() + ": " + path + ": parent has too many subdirectories");
        }
        files.ensureSpace(1, 0);
        Inode dir = files.newInode(parent, Inode.S_IFDIR | (mode & 07777), uid, gid, true);
        try {
            byte[] block = dirs.emptyDirectoryBlock(dir.number, parent.number);
            List<Run> runs = files.allocateData(dir, 1);
            dir.setSize(vol.bs);
            dir.setLinks(2);
            files.finishMapping(dir, runs, 1);
            dirs.writeDirBlock(dir, runs.get(0).physical(), block);
            vol.writeInode(dir);
            dirs.addEntry(parent, loc.name, dir.number, DirectoryBlock.FT_DIR);
        } catch (IOException | RuntimeException e) {
            files.abandon(dir, e);
            throw e;
        }
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
        if (dirs.lookup(loc.inode, loc.name) != 0) {
            throw new FileSystemException(vol.where() + ": " + path + ": already exists");
        }
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        if (t.length == 0 || t.length > Math.min(vol.bs - 1, FileData.SYMLINK_MAX)) {
            throw new FileSystemException(vol.where() + ": symlink target of " + t.length + " bytes for " + path
                    + " must be 1 to " + Math.min(vol.bs - 1, FileData.SYMLINK_MAX) + " bytes");
        }
        files.ensureSpace(1, 0);
        Inode inode = files.newInode(loc.inode, Inode.S_IFLNK | 0777, 0, 0, false);
        try {
            if (t.length <= FAST_SYMLINK_MAX) {
                byte[] ib = new byte[Inode.I_BLOCK_SIZE];
                System.arraycopy(t, 0, ib, 0, t.length);
                inode.setIblock(ib);
                inode.setFlags(inode.flags() & ~Inode.FL_EXTENTS);
                inode.setSize(t.length);
            } else {
                files.storeData(inode, t);
            }
            inode.setLinks(1);
            vol.writeInode(inode);
            dirs.addEntry(loc.inode, loc.name, inode.number, DirectoryBlock.FT_SYMLINK);
        } catch (IOException | RuntimeException e) {
            files.abandon(inode, e);
            throw e;
        }
        vol.flush();
    }

    @Override
    public void delete(String path) throws IOException {
        checkWritable();
        Located loc = parentOf(path);
        long ino = dirs.lookup(loc.inode, loc.name);
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
        dirs.removeEntry(loc.inode, loc.name);
        if (victim.isDir()) {
            Inode parent = vol.readInode(loc.inode.number);
            int links = parent.links();
            if (links > 2) {
                parent.setLinks(links - 1);
            }
            parent.setCtime(FileData.now());
            vol.writeInode(parent);
            files.freeInode(victim);
        } else if (victim.links() > 1) {
            victim.setLinks(victim.links() - 1);
            victim.setCtime(FileData.now());
            vol.writeInode(victim);
        } else {
            files.freeInode(victim);
        }
        vol.flush();
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        checkWritable();
        Inode i = require(path, true);
        i.setMode((i.mode() & Inode.S_IFMT) | (mode & 07777));
        i.setCtime(FileData.now());
        vol.writeInode(i);
        vol.flush();
    }

    /** Sets owner and times of {@code path} (following symlinks). */
    public void chown(String path, int uid, int gid) throws IOException {
        checkWritable();
        Inode i = require(path, true);
        i.setOwner(uid, gid);
        i.setCtime(FileData.now());
        vol.writeInode(i);
        vol.flush();
    }

    /** Sets access and modification times (seconds since the epoch) of {@code path}. */
    public void setTimes(String path, long atime, long mtime) throws IOException {
        checkWritable();
        Inode i = require(path, true);
        i.setTimes(atime, FileData.now(), mtime);
        vol.writeInode(i);
        vol.flush();
    }

    // ---------------------------------------------------------------- write helpers



















}
