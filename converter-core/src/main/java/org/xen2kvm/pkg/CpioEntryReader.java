package org.xen2kvm.pkg;

import static org.xen2kvm.pkg.RpmFormat.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cpio payload of an RPM, "new ASCII" format (newc, {@code 070701}; {@code 070702} with
 * checksums is read the same way): a 110-byte header of 13 eight-digit hex fields, the NUL
 * terminated name padded to 4 bytes, the data padded to 4 bytes, up to {@code TRAILER!!!}.
 * rpm writes names as {@code ./path}.
 *
 * <p>Owners, modes and link targets come from the RPM header (what rpm itself installs
 * from); the payload gives order and data. Hard links: rpm writes every name of a linked file
 * but the last with no data, so those are held back until the one with data arrives, and
 * then given as {@link EntryType#HARDLINK}s to it.
 */
final class CpioEntryReader implements EntryReader {
    /** Field order of the newc header, 8 hex digits each after the 6-byte magic. */
    private static final int F_INO = 0;
    private static final int F_MODE = 1;
    private static final int F_NLINK = 4;
    private static final int F_MTIME = 5;
    private static final int F_FILESIZE = 6;
    private static final int F_DEVMAJOR = 7;
    private static final int F_DEVMINOR = 8;
    private static final int F_NAMESIZE = 11;
    private static final int FIELDS = 13;
    /** Linked names held back at once; rpm holds a few per package, a hostile payload could hold millions. */
    static final int MAX_HELD_LINKS = 1 << 16;

    private final Path file;
    private final Map<String, RpmFile> headerFiles;
    private final InputStream in;
    /** Uncompressed payload bytes consumed, for messages. */
    private long offset;
    private long headerOffset;
    private String currentName = "";
    private PackageEntry current;
    /** Data of the current entry still unread in the stream (then its padding). */
    private long pendingData;
    private boolean dataInStream;
    private boolean done;
    private int count;
    /** Linked names waiting for their data, by (device, inode). */
    private final Map<String, List<PackageEntry>> heldLinks = new HashMap<>();
    /** The path that got the data of a link group, by (device, inode). */
    private final Map<String, String> linkData = new HashMap<>();
    private final Deque<PackageEntry> queued = new ArrayDeque<>();
    private int heldCount;

    CpioEntryReader(Path file, Map<String, RpmFile> headerFiles, InputStream decompressed) {
        this.file = file;
        this.headerFiles = headerFiles;
        this.in = decompressed;
    }

    private String where() {
        return "payload offset " + headerOffset + (currentName.isEmpty() ? "" : ", cpio entry '" + currentName + "'");
    }

    @Override
    public PackageEntry next() throws IOException {
        while (true) {
            if (!queued.isEmpty()) {
                current = queued.removeFirst();
                dataInStream = false;
                return current;
            }
            if (done) {
                current = null;
                return null;
            }
            skipRest();
            PackageEntry e = readHeader();
            if (e != null) {
                return e;
            }
        }
    }

    /** Reads one header; returns the entry to hand out now, or null if it was held back or ended the archive. */
    private PackageEntry readHeader() throws IOException {
        headerOffset = offset;
        currentName = "";
        byte[] h = readFully(CPIO_HEADER, "cpio header");
        String magic = new String(h, 0, 6, StandardCharsets.US_ASCII);
        if (magic.equals(CPIO_STRIPPED)) {
            throw new PackageFormatException(file, where(), "stripped cpio payload (rpm's format for files of 4 GiB or more) is not supported");
        }
        if (!magic.equals(CPIO_NEWC) && !magic.equals(CPIO_NEWC_CRC)) {
            throw new PackageFormatException(file, where(), "no cpio newc magic 070701 (found '" + printable(magic) + "')");
        }
        long[] f = new long[FIELDS];
        for (int i = 0; i < FIELDS; i++) {
            f[i] = hex(h, 6 + 8 * i);
        }
        long nameSize = f[F_NAMESIZE];
        if (nameSize < 1 || nameSize > EntryPaths.MAX_PATH + 3) {
            throw new PackageFormatException(file, where(), "name size " + nameSize + " is out of range");
        }
        byte[] nameBytes = readFully((int) nameSize, "cpio name");
        if (nameBytes[(int) nameSize - 1] != 0) {
            throw new PackageFormatException(file, where(), "cpio name is not NUL-terminated");
        }
        skipPadding(CPIO_HEADER + nameSize);
        currentName = new String(nameBytes, 0, (int) nameSize - 1, StandardCharsets.UTF_8);
        long size = f[F_FILESIZE];
        pendingData = size;
        dataInStream = false;
        if (currentName.equals(CPIO_TRAILER)) {
            done = true;
            releaseHeldWithoutData();
            return null;
        }
        if (++count > TarEntryReader.MAX_ENTRIES) {
            throw new PackageFormatException(file, where(), "more than " + TarEntryReader.MAX_ENTRIES + " entries");
        }
        String path = EntryPaths.normalize(currentName).orElseThrow(() -> new PackageFormatException(file, where(),
                "name has a '..' component or a NUL"));
        RpmFile hf = headerFiles.get(path);
        if (hf == null) {
            throw new PackageFormatException(file, where(), "payload entry is not in the header's file list");
        }
        int cpioType = (int) f[F_MODE] & S_IFMT;
        int headerType = hf.mode() & S_IFMT;
        if (cpioType != headerType) {
            throw new PackageFormatException(file, where(), "file type " + Integer.toOctalString(cpioType)
                    + " in the payload but " + Integer.toOctalString(headerType) + " in the header");
        }
        int perm = hf.mode() & 07777;
        long mtime = hf.mtime();
        switch (cpioType) {
            case S_IFDIR -> {
                return hand(new PackageEntry(path, EntryType.DIRECTORY, perm, -1, -1, hf.user(), hf.group(), mtime, 0, ""));
            }
            case S_IFLNK -> {
                if (size > EntryPaths.MAX_PATH) {
                    throw new PackageFormatException(file, where(), "symlink target of " + size + " bytes is too long");
                }
                String target = hf.linkTo();
                byte[] data = readFully((int) size, "symlink target");
                pendingData = 0;
                skipPadding(size);
                if (target.isEmpty()) {
                    target = new String(data, StandardCharsets.UTF_8);
                }
                if (target.isEmpty() || target.indexOf('\0') >= 0) {
                    throw new PackageFormatException(file, where(), "symlink has an empty target or one with a NUL");
                }
                return hand(new PackageEntry(path, EntryType.SYMLINK, perm, -1, -1, hf.user(), hf.group(), mtime, 0, target));
            }
            case S_IFREG -> {
                if (size > MAX_ENTRY_BYTES) {
                    throw new PackageFormatException(file, where(), "file of " + size + " bytes; entries over "
                            + MAX_ENTRY_BYTES + " bytes are refused");
                }
                PackageEntry e = new PackageEntry(path, EntryType.FILE, perm, -1, -1, hf.user(), hf.group(), mtime, size, "");
                if (f[F_NLINK] <= 1) {
                    dataInStream = true;
                    return hand(e);
                }
                String key = f[F_DEVMAJOR] + ":" + f[F_DEVMINOR] + ":" + f[F_INO];
                String holder = linkData.get(key);
                if (holder != null) {
                    return hand(link(e, holder));
                }
                if (size == 0) {
                    if (++heldCount > MAX_HELD_LINKS) {
                        throw new PackageFormatException(file, where(), "more than " + MAX_HELD_LINKS
                                + " hard-linked names waiting for their data");
                    }
                    List<PackageEntry> held = heldLinks.computeIfAbsent(key, k -> new ArrayList<>());
                    held.add(e);
                    if (held.size() > f[F_NLINK]) {
                        throw new PackageFormatException(file, where(), "more names than its link count " + f[F_NLINK]);
                    }
                    return null;
                }
                linkData.put(key, path);
                for (PackageEntry held : heldLinks.getOrDefault(key, List.of())) {
                    queued.add(link(held, path));
                }
                heldLinks.remove(key);
                dataInStream = true;
                return hand(e);
            }
            default -> throw new PackageFormatException(file, where(), "unsupported file type "
                    + Integer.toOctalString(cpioType) + " (devices, fifos and sockets do not belong in a kernel package)");
        }
    }

    private PackageEntry hand(PackageEntry e) {
        current = e;
        return e;
    }

    private static PackageEntry link(PackageEntry e, String target) {
        return new PackageEntry(e.path(), EntryType.HARDLINK, e.mode(), e.uid(), e.gid(), e.user(), e.group(), e.mtime(), 0, target);
    }

    /** Link groups whose names all came without data are empty files: the first holds, the rest link to it. */
    private void releaseHeldWithoutData() {
        for (List<PackageEntry> group : heldLinks.values()) {
            PackageEntry first = group.get(0);
            queued.add(first);
            for (int i = 1; i < group.size(); i++) {
                queued.add(link(group.get(i), first.path()));
            }
        }
        heldLinks.clear();
    }

    @Override
    public byte[] content() throws IOException {
        if (current == null || current.type() != EntryType.FILE) {
            return new byte[0];
        }
        if (!dataInStream) {
            if (current.size() == 0 && pendingData == 0) {
                return new byte[0];
            }
            throw new IllegalStateException("content of " + current.path() + " was already read");
        }
        dataInStream = false;
        byte[] data = readFully((int) pendingData, "file data");
        skipPadding(pendingData);
        pendingData = 0;
        return data;
    }

    private void skipRest() throws IOException {
        if (pendingData > 0) {
            skipBytes(pendingData);
            skipPadding(pendingData);
            pendingData = 0;
        }
        dataInStream = false;
    }

    private void skipPadding(long length) throws IOException {
        skipBytes((4 - length % 4) % 4);
    }

    private void skipBytes(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
        while (n > 0) {
            int r = read(buf, (int) Math.min(n, buf.length));
            if (r < 0) {
                throw new PackageFormatException(file, where(), "payload ends inside the entry's data");
            }
            n -= r;
        }
    }

    private byte[] readFully(int n, String what) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = read(b, got, n - got);
            if (r < 0) {
                throw new PackageFormatException(file, where(), what + " cut short at " + got + " of " + n + " bytes"
                        + (what.equals("cpio header") && got == 0 ? " (payload ends without a TRAILER!!! entry)" : ""));
            }
            got += r;
        }
        return b;
    }

    private int read(byte[] b, int len) throws IOException {
        return read(b, 0, len);
    }

    private int read(byte[] b, int off, int len) throws IOException {
        try {
            int r = in.read(b, off, len);
            if (r > 0) {
                offset += r;
            }
            return r;
        } catch (PackageFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Only the decompressor runs here; aircompressor reports corrupt zstd unchecked.
            throw new PackageFormatException(file, where(), "corrupt compressed payload (" + e.getMessage() + ")", e);
        }
    }

    private long hex(byte[] h, int at) throws PackageFormatException {
        long v = 0;
        for (int i = at; i < at + 8; i++) {
            int d = Character.digit(h[i], 16);
            if (d < 0) {
                throw new PackageFormatException(file, where(), "cpio header field " + (at - 6) / 8
                        + " is not hexadecimal");
            }
            v = v << 4 | d;
        }
        return v;
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
