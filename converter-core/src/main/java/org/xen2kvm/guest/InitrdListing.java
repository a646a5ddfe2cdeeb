package org.xen2kvm.guest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Lists the files in an initrd: one or more "newc" cpio archives, each either plain or
 * compressed, one after the other (the kernel's initramfs format,
 * Documentation/driver-api/early-userspace/buffer-format.rst). Plain and gzip archives are
 * read; for other compressions (zstd, xz, lzma, lz4, bzip2: no decoder in the JDK) the
 * listing is marked incomplete and names the compression.
 *
 * @param paths        file names, as stored (no leading slash)
 * @param complete     every archive was read
 * @param unreadable   the compression that stopped the listing, or null
 */
public record InitrdListing(List<String> paths, boolean complete, String unreadable) {

    /** "070701" (no checksum) and "070702" (with checksum) start a newc header. */
    private static final String NEWC_MAGIC = "070701";
    private static final String CRC_MAGIC = "070702";
    /** Magic (6) plus 13 fields of 8 hex digits. */
    private static final int HEADER_SIZE = 110;
    private static final int FIELD_FILESIZE = 6;
    private static final int FIELD_NAMESIZE = 11;
    /** Header+name and data are each padded to a multiple of 4 bytes. */
    private static final int ALIGN = 4;
    private static final String TRAILER = "TRAILER!!!";
    /** PATH_MAX; longer names mean a corrupt header. */
    private static final int MAX_NAME = 4096;
    /** More entries than any real initrd holds. */
    private static final int MAX_ENTRIES = 1_000_000;

    public InitrdListing {
        paths = List.copyOf(paths);
    }

    /** True when a file of that base name, with any module compression suffix, is present. */
    public boolean hasModule(String module) {
        for (String p : paths) {
            String base = p.substring(p.lastIndexOf('/') + 1);
            if (base.equals(module + ".ko") || base.startsWith(module + ".ko.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Lists an initrd held in memory.
     *
     * @param what a name for messages (the initrd's path in the guest)
     * @throws InitrdFormatException when a header is corrupt or the data ends inside an entry
     */
    public static InitrdListing read(String what, byte[] image) throws InitrdFormatException {
        List<String> paths = new ArrayList<>();
        int pos = 0;
        while (true) {
            while (pos < image.length && image[pos] == 0) {
                pos++;
            }
            if (pos >= image.length) {
                return new InitrdListing(paths, true, null);
            }
            if (startsWith(image, pos, NEWC_MAGIC) || startsWith(image, pos, CRC_MAGIC)) {
                ByteArrayInputStream in = new ByteArrayInputStream(image, pos, image.length - pos);
                pos = Math.toIntExact(pos + readArchive(what, in, pos, paths));
                continue;
            }
            String compression = compression(image, pos);
            if (compression.equals("gzip")) {
                // Large buffers: the defaults (512 bytes in, and 512-byte reads for each skip) cost
                // a third of the time on a 125 MB cpio.
                try (PushbackInputStream gz = new PushbackInputStream(new GZIPInputStream(
                        new ByteArrayInputStream(image, pos, image.length - pos), INFLATE_BUFFER), 1)) {
                    // The kernel accepts several archives, separated by zero padding, in one compressed stream.
                    while (skipZeros(gz)) {
                        readArchive(what, gz, pos, paths);
                    }
                } catch (InitrdFormatException e) {
                    throw e;
                } catch (IOException e) {
                    throw new InitrdFormatException(what + ": gzip data at offset " + pos + " is corrupt: " + e.getMessage());
                }
                // Anything after a compressed archive cannot be located without decompressing its exact length.
                return new InitrdListing(paths, true, null);
            }
            return new InitrdListing(paths, false, compression);
        }
    }

    /** Skips zero bytes; false at the end of the stream. */
    private static boolean skipZeros(PushbackInputStream in) throws IOException {
        int b;
        do {
            b = in.read();
        } while (b == 0);
        if (b < 0) {
            return false;
        }
        in.unread(b);
        return true;
    }

    private static boolean startsWith(byte[] b, int pos, String magic) {
        if (pos + magic.length() > b.length) {
            return false;
        }
        for (int i = 0; i < magic.length(); i++) {
            if (b[pos + i] != magic.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Names the compression by its magic number, "unknown" when none matches. */
    static String compression(byte[] b, int pos) {
        int b0 = pos < b.length ? b[pos] & 0xff : -1;
        int b1 = pos + 1 < b.length ? b[pos + 1] & 0xff : -1;
        int b2 = pos + 2 < b.length ? b[pos + 2] & 0xff : -1;
        int b3 = pos + 3 < b.length ? b[pos + 3] & 0xff : -1;
        if (b0 == 0x1f && (b1 == 0x8b || b1 == 0x9e)) {
            return "gzip";
        }
        if (b0 == 0x28 && b1 == 0xb5 && b2 == 0x2f && b3 == 0xfd) {
            return "zstd";
        }
        if (b0 == 0xfd && b1 == '7' && b2 == 'z' && b3 == 'X') {
            return "xz";
        }
        if (b0 == 0x5d && b1 == 0x00 && b2 == 0x00) {
            return "lzma";
        }
        if (b0 == 0x02 && b1 == 0x21 && b2 == 0x4c && b3 == 0x18) {
            return "lz4";
        }
        if (b0 == 'B' && b1 == 'Z' && b2 == 'h') {
            return "bzip2";
        }
        if (b0 == 0x89 && b1 == 'L' && b2 == 'Z' && b3 == 'O') {
            return "lzo";
        }
        return "unknown";
    }

    /**
     * Reads one archive up to and including its trailer.
     *
     * @param base offset of the stream's start in the image, for messages
     * @return bytes consumed, 0 when the stream was already at its end
     */
    private static long readArchive(String what, InputStream in, long base, List<String> paths) throws InitrdFormatException {
        long off = 0;
        byte[] header = new byte[HEADER_SIZE];
        try {
            while (true) {
                int n = in.readNBytes(header, 0, HEADER_SIZE);
                if (n == 0 && off == 0) {
                    return 0;
                }
                if (n < HEADER_SIZE) {
                    throw new InitrdFormatException(what + ": cpio header at offset " + (base + off) + " is cut short ("
                            + n + " of " + HEADER_SIZE + " bytes); the initrd is truncated");
                }
                String magic = new String(header, 0, 6, StandardCharsets.US_ASCII);
                if (!magic.equals(NEWC_MAGIC) && !magic.equals(CRC_MAGIC)) {
                    throw new InitrdFormatException(what + ": cpio header at offset " + (base + off) + " has magic "
                            + TextFiles.excerpt(magic) + ", expected " + NEWC_MAGIC + " (newc); not a Linux initrd");
                }
                long fileSize = field(what, header, FIELD_FILESIZE, base + off);
                long nameSize = field(what, header, FIELD_NAMESIZE, base + off);
                if (nameSize < 1 || nameSize > MAX_NAME) {
                    throw new InitrdFormatException(what + ": cpio header at offset " + (base + off) + ": name size "
                            + nameSize + " outside 1.." + MAX_NAME + "; the initrd is corrupt");
                }
                byte[] name = in.readNBytes((int) nameSize);
                if (name.length < nameSize) {
                    throw new InitrdFormatException(what + ": cpio name at offset " + (base + off + HEADER_SIZE) + " is cut short");
                }
                String path = new String(name, 0, (int) nameSize - 1, StandardCharsets.UTF_8);
                long headerEnd = Math.addExact(off, HEADER_SIZE + nameSize);
                skip(what, in, pad(headerEnd) - headerEnd, base + headerEnd);
                long dataStart = pad(headerEnd);
                if (path.equals(TRAILER)) {
                    return dataStart;
                }
                if (paths.size() >= MAX_ENTRIES) {
                    throw new InitrdFormatException(what + ": more than " + MAX_ENTRIES + " cpio entries; refusing to list further");
                }
                paths.add(path.startsWith("./") ? path.substring(2) : path);
                long dataEnd = Math.addExact(dataStart, fileSize);
                skip(what, in, pad(dataEnd) - dataStart, base + dataStart);
                off = pad(dataEnd);
            }
        } catch (IOException e) {
            if (e instanceof InitrdFormatException f) {
                throw f;
            }
            throw new InitrdFormatException(what + ": reading the cpio archive at offset " + (base + off) + " failed: " + e.getMessage());
        }
    }

    private static long pad(long n) {
        return Math.addExact(n, (ALIGN - n % ALIGN) % ALIGN);
    }

    private static void skip(String what, InputStream in, long n, long at) throws IOException {
        byte[] scratch = SCRATCH.get();
        long left = n;
        while (left > 0) {
            int got = in.read(scratch, 0, (int) Math.min(scratch.length, left));
            if (got < 0) {
                throw new InitrdFormatException(what + ": cpio data at offset " + at + " (" + n
                        + " bytes) is cut short; the initrd is truncated");
            }
            left -= got;
        }
    }

    private static final int INFLATE_BUFFER = 1 << 16;
    /** Inflated data is skipped by reading it into this, in large pieces. */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[INFLATE_BUFFER]);

    private static long field(String what, byte[] header, int index, long at) throws InitrdFormatException {
        int start = 6 + index * 8;
        long v = 0;
        for (int i = start; i < start + 8; i++) {
            int d = Character.digit(header[i], 16);
            if (d < 0) {
                throw new InitrdFormatException(what + ": cpio header at offset " + at + ": field " + index + " is "
                        + TextFiles.excerpt(new String(header, start, 8, StandardCharsets.US_ASCII)) + ", not 8 hex digits");
            }
            v = v * 16 + d;
        }
        return v;
    }

    /** An initrd that is not a well-formed cpio archive list. */
    public static final class InitrdFormatException extends IOException {
        public InitrdFormatException(String message) {
            super(message);
        }
    }
}
