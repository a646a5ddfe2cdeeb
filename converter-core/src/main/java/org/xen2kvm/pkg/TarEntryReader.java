package org.xen2kvm.pkg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The entries of a Debian {@code data.tar} (GNU tar as dpkg-deb writes it: ustar with GNU
 * long names, or pax), through Commons Compress. Names become absolute guest paths; hard
 * link targets are normalized the same way.
 */
final class TarEntryReader implements EntryReader {
    /** More entries than this is no kernel package (Debian's generic kernel has about 6,000). */
    static final int MAX_ENTRIES = 1_000_000;

    private final Path file;
    private final String member;
    private final TarArchiveInputStream tar;
    private TarArchiveEntry current;
    private boolean contentRead;
    private int count;

    /** @param member the ar member read ({@code data.tar.xz}), for messages */
    TarEntryReader(Path file, String member, InputStream decompressed) {
        this.file = file;
        this.member = member;
        this.tar = new TarArchiveInputStream(decompressed);
    }

    private String where() {
        return "ar member " + member + (current == null ? "" : ", tar entry '" + current.getName() + "'");
    }

    @Override
    public PackageEntry next() throws IOException {
        try {
            current = tar.getNextEntry();
        } catch (IOException | RuntimeException e) {
            // Only library code runs here: Commons Compress reports some malformed headers, and
            // aircompressor corrupt zstd, as unchecked exceptions.
            throw new PackageFormatException(file, where(), "corrupt tar data (" + e.getMessage() + ")", e);
        }
        contentRead = false;
        if (current == null) {
            return null;
        }
        if (++count > MAX_ENTRIES) {
            throw new PackageFormatException(file, where(), "more than " + MAX_ENTRIES + " entries; this is no kernel package");
        }
        String path = EntryPaths.normalize(current.getName()).orElseThrow(() -> new PackageFormatException(file, where(),
                "entry name has a '..' component, a NUL or is over " + EntryPaths.MAX_PATH + " bytes"));
        EntryType type;
        String link = "";
        long size = 0;
        if (current.isSymbolicLink()) {
            type = EntryType.SYMLINK;
            link = current.getLinkName();
            if (link.isEmpty() || link.length() > EntryPaths.MAX_PATH || link.indexOf('\0') >= 0) {
                throw new PackageFormatException(file, where(), "symlink target is empty, contains NUL or is too long");
            }
        } else if (current.isLink()) {
            type = EntryType.HARDLINK;
            link = EntryPaths.normalize(current.getLinkName()).orElseThrow(() -> new PackageFormatException(file, where(),
                    "hard link target '" + current.getLinkName() + "' is not a path inside the package"));
        } else if (current.isDirectory()) {
            type = EntryType.DIRECTORY;
        } else if (current.isFile()) {
            type = EntryType.FILE;
            size = current.getSize();
            if (size < 0 || size > MAX_ENTRY_BYTES) {
                throw new PackageFormatException(file, where(), "file of " + size + " bytes; entries over "
                        + MAX_ENTRY_BYTES + " bytes are refused");
            }
        } else {
            throw new PackageFormatException(file, where(), "unsupported tar entry type '" + (char) tarType(current)
                    + "' (devices, fifos and the like do not belong in a kernel package)");
        }
        return new PackageEntry(path, type, current.getMode() & 07777, (int) current.getLongUserId(),
                (int) current.getLongGroupId(), nullToEmpty(current.getUserName()), nullToEmpty(current.getGroupName()),
                current.getModTime().getTime() / 1000, size, link);
    }

    private static int tarType(TarArchiveEntry e) {
        if (e.isCharacterDevice()) {
            return '3';
        }
        if (e.isBlockDevice()) {
            return '4';
        }
        if (e.isFIFO()) {
            return '6';
        }
        return '?';
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    @Override
    public byte[] content() throws IOException {
        if (current == null || !current.isFile() || current.isLink() || current.isSymbolicLink()) {
            return new byte[0];
        }
        if (contentRead) {
            throw new IllegalStateException("content of " + current.getName() + " was already read");
        }
        contentRead = true;
        int size = (int) current.getSize();
        byte[] data;
        try {
            data = tar.readNBytes(size);
        } catch (IOException | RuntimeException e) {
            throw new PackageFormatException(file, where(), "corrupt data (" + e.getMessage() + ")", e);
        }
        if (data.length != size) {
            throw new PackageFormatException(file, where(), "data cut short at " + data.length + " of " + size + " bytes");
        }
        return data;
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
