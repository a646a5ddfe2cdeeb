package org.xen2kvm.initramfs;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An initramfs image: its segments in order, each with its compression, as the kernel unpacks
 * them (Documentation/driver-api/early-userspace/buffer-format.rst). Immutable: the edits
 * return a new image; {@link #write()} lays it out again with the same segments, compressions
 * and padding, so that the guest's own tools (lsinitramfs, lsinitrd, unmkinitramfs) read it.
 */
public final class InitramfsImage {
    private final List<InitramfsSegment> segments;
    private final int trailingPadding;
    /**
     * Each compressed segment's bytes as read, null once it changed: an unchanged segment is
     * written back as it was, which saves recompressing it (gzip of a 100 MB archive takes
     * seconds) and keeps it byte-identical.
     */
    private final List<byte[]> asRead;

    public InitramfsImage(List<InitramfsSegment> segments, int trailingPadding) {
        this(segments, trailingPadding, null);
    }

    private InitramfsImage(List<InitramfsSegment> segments, int trailingPadding, List<byte[]> asRead) {
        this.segments = List.copyOf(segments);
        this.trailingPadding = trailingPadding;
        this.asRead = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            this.asRead.add(asRead == null ? null : asRead.get(i));
        }
        if (trailingPadding < 0) {
            throw new IllegalArgumentException("negative padding " + trailingPadding);
        }
    }

    /** An image of one archive in one segment. */
    public static InitramfsImage of(Compression compression, List<CpioEntry> entries) {
        return new InitramfsImage(List.of(new InitramfsSegment(0, compression, List.of(new CpioArchive(entries, 0)))), 0);
    }

    public List<InitramfsSegment> segments() {
        return segments;
    }

    /** Zero bytes after the last segment. */
    public int trailingPadding() {
        return trailingPadding;
    }

    /** Reads an image with the default limits. See {@link #read(String, byte[], InitramfsLimits)}. */
    public static InitramfsImage read(String what, byte[] image) throws InitramfsFormatException {
        return read(what, image, InitramfsLimits.DEFAULT);
    }

    /**
     * Reads every segment of an image held in memory.
     *
     * @param what a name for messages (the initrd's path in the guest)
     * @throws InitramfsFormatException when a segment is corrupt, truncated, compressed with
     *         lzo or an unknown method, or exceeds {@code limits}; the message names the image,
     *         the segment and the byte offset
     */
    public static InitramfsImage read(String what, byte[] image, InitramfsLimits limits) throws InitramfsFormatException {
        CpioNewc.Budget budget = new CpioNewc.Budget(limits);
        List<InitramfsSegment> segments = new ArrayList<>();
        List<byte[]> asRead = new ArrayList<>();
        long total = image.length;
        if (total > limits.maxTotalBytes()) {
            throw new InitramfsFormatException(what + ": " + total + " bytes, more than the " + limits.maxTotalBytes()
                    + " an initramfs may hold here; refusing the image");
        }
        int pos = 0;
        int alignBase = 0;
        while (true) {
            int zeros = 0;
            while (pos + zeros < image.length && image[pos + zeros] == 0) {
                zeros++;
            }
            if (pos + zeros == image.length) {
                if (segments.isEmpty()) {
                    throw new InitramfsFormatException(what + ": no cpio archive (" + image.length + " bytes, all zero)");
                }
                return new InitramfsImage(segments, zeros, asRead);
            }
            int start = pos + zeros;
            Compression c = Compression.detect(image, start);
            int index = segments.size() + 1;
            if (c == null) {
                throw new UnsupportedInitramfsException(what + ": segment " + index + " at offset " + start + " starts with bytes "
                        + CpioNewc.hex(image, start, image.length) + ", neither a cpio header nor a known compression");
            }
            if (c == Compression.NONE) {
                CpioNewc.Run run = CpioNewc.read(offset -> what + ": offset " + offset, image, alignBase, start, image.length,
                        false, budget);
                segments.add(new InitramfsSegment(zeros, c, run.archives()));
                asRead.add(null);
                pos = run.end();
                if (pos < image.length && Compression.detect(image, pos) == null) {
                    throw new UnsupportedInitramfsException(what + ": offset " + pos + ": after the cpio archive come bytes "
                            + CpioNewc.hex(image, pos, image.length) + ", neither a cpio header nor a known compression");
                }
                continue;
            }
            String seg = what + ": segment " + index + " (" + c.label() + " at offset " + start + ")";
            SegmentCodec.Decoded d = SegmentCodec.decode(seg, c, image, start, limits.maxTotalBytes() - total);
            total += d.data().length;
            if (d.consumed() <= 0) {
                throw new InitramfsFormatException(seg + ": empty compressed stream");
            }
            CpioNewc.Run run = CpioNewc.read(offset -> seg + ", decompressed offset " + offset, d.data(), 0,
                    skipZeros(d.data()), d.data().length, true, budget);
            if (run.archives().isEmpty()) {
                throw new InitramfsFormatException(seg + ": holds no cpio archive");
            }
            if (skipZeros(d.data()) != 0) {
                throw new InitramfsFormatException(seg + ": decompressed data starts with zero bytes before the cpio archive");
            }
            segments.add(new InitramfsSegment(zeros, c, run.archives()));
            asRead.add(java.util.Arrays.copyOfRange(image, start, start + d.consumed()));
            pos = start + d.consumed();
            alignBase = pos;
        }
    }

    private static int skipZeros(byte[] b) {
        int i = 0;
        while (i < b.length && b[i] == 0) {
            i++;
        }
        return i;
    }

    /** The image laid out again: each segment compressed as it was read, with its padding. */
    public byte[] write() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int alignBase = 0;
        for (int i = 0; i < segments.size(); i++) {
            InitramfsSegment s = segments.get(i);
            out.writeBytes(new byte[s.paddingBefore()]);
            if (asRead.get(i) != null) {
                out.writeBytes(asRead.get(i));
                alignBase = out.size();
            } else if (s.compression() == Compression.NONE) {
                for (CpioArchive a : s.archives()) {
                    CpioNewc.write(a, out, alignBase);
                }
            } else {
                ByteArrayOutputStream cpio = new ByteArrayOutputStream();
                for (CpioArchive a : s.archives()) {
                    CpioNewc.write(a, cpio, 0);
                }
                out.writeBytes(SegmentCodec.encode(s.compression(), cpio.toByteArray()));
                alignBase = out.size();
            }
        }
        out.writeBytes(new byte[trailingPadding]);
        return out.toByteArray();
    }

    /** Every entry of every archive, in order. */
    public List<CpioEntry> entries() {
        List<CpioEntry> all = new ArrayList<>();
        for (InitramfsSegment s : segments) {
            for (CpioArchive a : s.archives()) {
                all.addAll(a.entries());
            }
        }
        return all;
    }

    /** The entry the kernel ends up with at {@code path} (the last one of that name), if any. */
    public Optional<CpioEntry> find(String path) {
        String p = InitramfsPaths.normalize(path);
        CpioEntry found = null;
        for (CpioEntry e : entries()) {
            if (e.path().equals(p)) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    /** True when some entry lies at or below {@code path}. */
    public boolean hasTree(String path) {
        String p = InitramfsPaths.normalize(path);
        for (CpioEntry e : entries()) {
            if (e.path().equals(p) || e.path().startsWith(p + "/")) {
                return true;
            }
        }
        return false;
    }

    /** The compression of the main archive's segment (see {@link #mainArchiveIndex()}). */
    public Compression mainCompression() {
        return segments.get(mainArchiveIndex()[0]).compression();
    }

    /**
     * Where new files go: the archive holding {@code init} (the early microcode archive comes
     * before it), else the last archive. Returns {segment, archive}.
     */
    int[] mainArchiveIndex() {
        int[] found = null;
        for (int s = 0; s < segments.size(); s++) {
            List<CpioArchive> archives = segments.get(s).archives();
            for (int a = 0; a < archives.size(); a++) {
                for (CpioEntry e : archives.get(a).entries()) {
                    if (e.path().equals("init")) {
                        found = new int[] {s, a};
                    }
                }
            }
        }
        if (found != null) {
            return found;
        }
        int last = segments.size() - 1;
        return new int[] {last, segments.get(last).archives().size() - 1};
    }

    /** The newest modification time in the image: new entries take it, so a rebuild stays reproducible. */
    public long newestMtime() {
        long newest = 0;
        for (CpioEntry e : entries()) {
            newest = Math.max(newest, e.mtime());
        }
        return newest;
    }

    /**
     * Replaces the contents of a regular file, or adds it (with any missing parent directories)
     * at the end of the main archive. Every other entry keeps its place, metadata and contents.
     *
     * @param path        the file's path ("etc/lvm/lvm.conf", a leading "/" or "./" is ignored)
     * @param permissions permission bits (e.g. 0644); file type bits other than a regular
     *                    file's are refused
     * @throws IllegalArgumentException when the path names a directory, symlink or device, or the
     *         mode is not a regular file's
     */
    public InitramfsImage replaceFile(String path, byte[] data, int permissions) {
        int type = permissions & CpioEntry.S_IFMT;
        if (type != 0 && type != CpioEntry.S_IFREG) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(permissions) + " for " + path + " is not a regular file's");
        }
        String p = InitramfsPaths.normalize(path);
        Optional<CpioEntry> existing = find(p);
        if (existing.isPresent()) {
            CpioEntry e = existing.get();
            if (!e.isRegular()) {
                throw new IllegalArgumentException(path + " is not a regular file in the initramfs: " + e.describe());
            }
            return replaceLast(p, e.withData(data, permissions));
        }
        return put(CpioEntry.file(p, permissions, newestMtime(), data));
    }

    /**
     * Adds an entry at the end of the main archive, with missing parent directories (0755) before
     * it; an entry already at that path is replaced in place instead.
     */
    public InitramfsImage put(CpioEntry entry) {
        String p = entry.path();
        if (find(p).isPresent()) {
            return replaceLast(p, entry);
        }
        int[] main = mainArchiveIndex();
        CpioArchive archive = segments.get(main[0]).archives().get(main[1]);
        String prefix = namePrefix(archive);
        List<CpioEntry> added = new ArrayList<>();
        long mtime = entry.mtime();
        List<String> missing = new ArrayList<>();
        for (String dir = InitramfsPaths.parent(p); !dir.isEmpty(); dir = InitramfsPaths.parent(dir)) {
            if (find(dir).isPresent()) {
                break;
            }
            missing.add(0, dir);
        }
        for (String dir : missing) {
            added.add(CpioEntry.directory(prefix + dir, 0755, mtime));
        }
        added.add(rename(entry, prefix + p));
        List<CpioEntry> entries = new ArrayList<>(archive.entries());
        entries.addAll(added);
        return withArchive(main[0], main[1], new CpioArchive(entries, archive.paddingAfter()));
    }

    /** Removes every entry at {@code path}; returns this image when there is none. */
    public InitramfsImage remove(String path) {
        String p = InitramfsPaths.normalize(path);
        InitramfsImage image = this;
        for (int s = 0; s < segments.size(); s++) {
            List<CpioArchive> archives = segments.get(s).archives();
            for (int a = 0; a < archives.size(); a++) {
                List<CpioEntry> kept = new ArrayList<>();
                for (CpioEntry e : archives.get(a).entries()) {
                    if (!e.path().equals(p)) {
                        kept.add(e);
                    }
                }
                if (kept.size() != archives.get(a).entries().size()) {
                    image = image.withArchive(s, a, new CpioArchive(kept, archives.get(a).paddingAfter()));
                }
            }
        }
        return image;
    }

    private InitramfsImage replaceLast(String p, CpioEntry replacement) {
        int[] at = null;
        for (int s = 0; s < segments.size(); s++) {
            List<CpioArchive> archives = segments.get(s).archives();
            for (int a = 0; a < archives.size(); a++) {
                List<CpioEntry> entries = archives.get(a).entries();
                for (int i = 0; i < entries.size(); i++) {
                    if (entries.get(i).path().equals(p)) {
                        at = new int[] {s, a, i};
                    }
                }
            }
        }
        if (at == null) {
            throw new IllegalStateException(p + " vanished");
        }
        CpioArchive archive = segments.get(at[0]).archives().get(at[1]);
        List<CpioEntry> entries = new ArrayList<>(archive.entries());
        entries.set(at[2], rename(replacement, entries.get(at[2]).name()));
        return withArchive(at[0], at[1], new CpioArchive(entries, archive.paddingAfter()));
    }

    private static CpioEntry rename(CpioEntry e, String name) {
        return new CpioEntry(name, e.mode(), e.uid(), e.gid(), e.mtime(), e.nlink(), e.ino(), e.devMajor(), e.devMinor(),
                e.rdevMajor(), e.rdevMinor(), e.data());
    }

    /** "./" when the archive spells its names that way (find . | cpio), else "". */
    private static String namePrefix(CpioArchive archive) {
        for (CpioEntry e : archive.entries()) {
            if (e.name().startsWith("./")) {
                return "./";
            }
            if (!e.name().equals(".")) {
                return "";
            }
        }
        return "";
    }

    private InitramfsImage withArchive(int segment, int archive, CpioArchive replacement) {
        List<InitramfsSegment> newSegments = new ArrayList<>(segments);
        InitramfsSegment s = segments.get(segment);
        List<CpioArchive> archives = new ArrayList<>(s.archives());
        archives.set(archive, replacement);
        newSegments.set(segment, new InitramfsSegment(s.paddingBefore(), s.compression(), archives));
        List<byte[]> unchanged = new ArrayList<>(asRead);
        unchanged.set(segment, null);
        return new InitramfsImage(newSegments, trailingPadding, unchanged);
    }

    /** A listing for golden files: each segment's compression and padding, then its entries. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        int n = 1;
        for (InitramfsSegment s : segments) {
            out.append("segment ").append(n++).append(": ").append(s.compression().label());
            if (s.paddingBefore() > 0) {
                out.append(", ").append(s.paddingBefore()).append(" zero bytes before");
            }
            out.append('\n');
            for (CpioArchive a : s.archives()) {
                out.append("  archive, ").append(a.entries().size()).append(" entries, ").append(a.paddingAfter())
                        .append(" zero bytes after\n");
                for (CpioEntry e : a.entries()) {
                    out.append("    ").append(e.describe()).append('\n');
                }
            }
        }
        if (trailingPadding > 0) {
            out.append(trailingPadding).append(" zero bytes at the end\n");
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InitramfsImage i && segments.equals(i.segments) && trailingPadding == i.trailingPadding;
    }

    @Override
    public int hashCode() {
        return segments.hashCode() * 31 + trailingPadding;
    }
}
