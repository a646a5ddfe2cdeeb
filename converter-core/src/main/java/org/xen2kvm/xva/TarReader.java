package org.xen2kvm.xva;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads tar headers (POSIX ustar, GNU long names, pax path/size records) from a file,
 * seeking over data, or from a decompressed stream, reading through it. Only what an XVA
 * needs: regular files with safe relative names. Offsets are from the start of the
 * (decompressed) tar stream.
 */
final class TarReader {
    /** Tar works in 512-byte blocks (POSIX ustar "Header block"). */
    static final int BLOCK = 512;
    private static final int OFF_NAME = 0;
    private static final int LEN_NAME = 100;
    private static final int OFF_SIZE = 124;
    private static final int LEN_SIZE = 12;
    private static final int OFF_CHKSUM = 148;
    private static final int LEN_CHKSUM = 8;
    private static final int OFF_TYPEFLAG = 156;
    private static final int OFF_MAGIC = 257;
    /** "ustar" at {@link #OFF_MAGIC}, followed by NUL (POSIX) or a space (GNU). */
    private static final byte[] USTAR_MAGIC = "ustar".getBytes(StandardCharsets.US_ASCII);
    private static final int OFF_PREFIX = 345;
    private static final int LEN_PREFIX = 155;
    private static final byte TYPE_REGULAR = '0';
    private static final byte TYPE_REGULAR_OLD = 0;
    private static final byte TYPE_GNU_LONGNAME = 'L';
    private static final byte TYPE_PAX = 'x';
    private static final byte TYPE_PAX_GLOBAL = 'g';
    /** Long names and pax headers are small; a larger one is hostile. */
    private static final int MAX_META = 64 * 1024;

    /** A regular file entry whose data starts at {@code dataOffset}. */
    record Entry(String name, long size, long dataOffset) {
    }

    /** Where the tar bytes come from. */
    interface Source {
        void readFully(byte[] b, int off, int len) throws IOException;

        void skip(long n) throws IOException;

        long position();
    }

    private final Source source;
    private final Path file;
    private final byte[] header = new byte[BLOCK];
    private long dataRemaining;
    private long padding;

    TarReader(Source source, Path file) {
        this.source = source;
        this.file = file;
    }

    /** The next regular file, or null at the end of the archive. Unread data of the previous entry is skipped. */
    Entry next() throws IOException {
        String longName = null;
        long paxSize = -1;
        while (true) {
            long headerOffset = source.position() + dataRemaining + padding;
            try {
                source.skip(dataRemaining + padding);
                dataRemaining = 0;
                padding = 0;
                source.readFully(header, 0, BLOCK);
            } catch (EOFException e) {
                throw new XvaFormatException(file, headerOffset, "tar archive ends without its end-of-archive blocks (truncated download?)");
            }
            if (isZero(header)) {
                return null;
            }
            verifyChecksum(headerOffset);
            long size = paxSize >= 0 ? paxSize : parseSize(headerOffset);
            String name = longName != null ? longName : headerName();
            byte type = header[OFF_TYPEFLAG];
            dataRemaining = size;
            padding = (BLOCK - size % BLOCK) % BLOCK;
            if (type == TYPE_GNU_LONGNAME || type == TYPE_PAX || type == TYPE_PAX_GLOBAL) {
                byte[] meta = readMeta(headerOffset, size);
                if (type == TYPE_GNU_LONGNAME) {
                    longName = cString(meta, 0, meta.length);
                } else if (type == TYPE_PAX) {
                    String[] pathAndSize = parsePax(meta, headerOffset);
                    if (pathAndSize[0] != null) {
                        longName = pathAndSize[0];
                    }
                    if (pathAndSize[1] != null) {
                        paxSize = parseDecimal(pathAndSize[1], headerOffset, "pax size");
                    }
                }
                continue;
            }
            String safe = safeName(name, headerOffset);
            longName = null;
            paxSize = -1;
            if (type == TYPE_REGULAR || type == TYPE_REGULAR_OLD) {
                return new Entry(safe, size, source.position());
            }
            // Directories and anything else carry no disk data: skip them.
        }
    }

    /** Reads {@code len} bytes of the current entry's data. */
    void readData(byte[] b, int off, int len) throws IOException {
        if (len > dataRemaining) {
            throw new IllegalArgumentException("read past the entry's end");
        }
        long at = source.position();
        try {
            source.readFully(b, off, len);
        } catch (EOFException e) {
            throw new XvaFormatException(file, at, "tar archive ends inside an entry's data (truncated download?)");
        }
        dataRemaining -= len;
    }

    private byte[] readMeta(long headerOffset, long size) throws IOException {
        if (size > MAX_META) {
            throw new XvaFormatException(file, headerOffset, "tar extended header of " + size
                    + " bytes exceeds " + MAX_META + "; the archive is corrupt");
        }
        byte[] meta = new byte[(int) size];
        readData(meta, 0, meta.length);
        return meta;
    }

    /** Entry names must stay inside the archive: no absolute paths, no {@code ..}. */
    private String safeName(String name, long headerOffset) throws XvaFormatException {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        boolean escapes = n.startsWith("/") || n.contains("\\");
        for (String part : n.split("/", -1)) {
            escapes |= part.equals("..");
        }
        if (escapes || n.isEmpty()) {
            throw new XvaFormatException(file, headerOffset, "tar entry name '" + name
                    + "' is absolute or leaves the archive with '..'; refusing a corrupt or hostile XVA");
        }
        return n;
    }

    /** Whether {@code block} holds a POSIX ustar header (magic "ustar" at {@link #OFF_MAGIC}). */
    static boolean hasUstarMagic(byte[] block) {
        return block.length >= OFF_MAGIC + USTAR_MAGIC.length
                && Arrays.equals(block, OFF_MAGIC, OFF_MAGIC + USTAR_MAGIC.length, USTAR_MAGIC, 0, USTAR_MAGIC.length);
    }

    private String headerName() {
        String name = cString(header, OFF_NAME, LEN_NAME);
        if (hasUstarMagic(header)) {
            String prefix = cString(header, OFF_PREFIX, LEN_PREFIX);
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    private void verifyChecksum(long headerOffset) throws XvaFormatException {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            boolean inField = i >= OFF_CHKSUM && i < OFF_CHKSUM + LEN_CHKSUM;
            sum += inField ? ' ' : header[i] & 0xFF;
        }
        long stored = parseOctal(OFF_CHKSUM, LEN_CHKSUM, headerOffset, "header checksum");
        if (stored != sum) {
            throw new XvaFormatException(file, headerOffset, "tar header checksum is " + stored + " but the header sums to "
                    + sum + "; the archive is corrupt or not a tar file");
        }
    }

    private long parseSize(long headerOffset) throws XvaFormatException {
        if ((header[OFF_SIZE] & 0x80) != 0) {
            // GNU base-256: big-endian binary in the remaining bytes.
            long v = 0;
            for (int i = OFF_SIZE + 1; i < OFF_SIZE + LEN_SIZE; i++) {
                if ((v >>> 55) != 0) {
                    throw new XvaFormatException(file, headerOffset, "tar entry size does not fit 63 bits");
                }
                v = v << 8 | (header[i] & 0xFF);
            }
            if ((header[OFF_SIZE] & 0x7F) != 0 || v < 0) {
                throw new XvaFormatException(file, headerOffset, "tar entry size does not fit 63 bits");
            }
            return v;
        }
        return parseOctal(OFF_SIZE, LEN_SIZE, headerOffset, "entry size");
    }

    private long parseOctal(int off, int len, long headerOffset, String field) throws XvaFormatException {
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && header[i] == ' ') {
            i++;
        }
        boolean any = false;
        for (; i < end && header[i] >= '0' && header[i] <= '7'; i++) {
            v = v * 8 + (header[i] - '0');
            any = true;
        }
        for (; i < end; i++) {
            if (header[i] != ' ' && header[i] != 0) {
                throw new XvaFormatException(file, headerOffset + off, "tar " + field + " field '"
                        + cString(header, off, len) + "' is not octal; the archive is corrupt");
            }
        }
        if (!any) {
            throw new XvaFormatException(file, headerOffset + off, "tar " + field + " field is empty; the archive is corrupt");
        }
        return v;
    }

    private String[] parsePax(byte[] meta, long headerOffset) throws XvaFormatException {
        String[] result = new String[2];
        int p = 0;
        while (p < meta.length) {
            int space = p;
            while (space < meta.length && meta[space] != ' ') {
                space++;
            }
            long len = parseDecimal(new String(meta, p, space - p, StandardCharsets.US_ASCII), headerOffset, "pax record length");
            if (len <= space - p + 1 || p + len > meta.length) {
                throw new XvaFormatException(file, headerOffset, "pax record length " + len + " is out of range");
            }
            String record = new String(meta, space + 1, (int) (p + len - space - 2), StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                String key = record.substring(0, eq);
                if (key.equals("path")) {
                    result[0] = record.substring(eq + 1);
                } else if (key.equals("size")) {
                    result[1] = record.substring(eq + 1);
                }
            }
            p += (int) len;
        }
        return result;
    }

    private long parseDecimal(String s, long headerOffset, String field) throws XvaFormatException {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new XvaFormatException(file, headerOffset, "tar " + field + " '" + s + "' is not a number");
        }
        return Long.parseLong(s);
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** Tar bytes from a file: data is skipped by seeking. */
    static final class ChannelSource implements Source {
        private final FileChannel channel;
        private long position;

        ChannelSource(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void readFully(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                int n = channel.read(buf, position);
                if (n < 0) {
                    throw new EOFException();
                }
                position += n;
            }
        }

        @Override
        public void skip(long n) {
            position += n;
        }

        @Override
        public long position() {
            return position;
        }
    }

    /** Tar bytes from a (decompressing) stream: data is skipped by reading through it. */
    static final class StreamSource implements Source {
        private final InputStream in;
        private final byte[] skipBuffer = new byte[64 * 1024];
        private long position;

        StreamSource(InputStream in) {
            this.in = in;
        }

        @Override
        public void readFully(byte[] b, int off, int len) throws IOException {
            int done = 0;
            while (done < len) {
                int n;
                try {
                    n = in.read(b, off + done, len - done);
                } catch (RuntimeException e) {
                    // The zstd decoder reports corrupt input unchecked (MalformedInputException).
                    throw new IOException("compressed data is corrupt after " + position + " decompressed bytes: "
                            + e.getMessage(), e);
                }
                if (n < 0) {
                    throw new EOFException();
                }
                done += n;
                position += n;
            }
        }

        @Override
        public void skip(long n) throws IOException {
            long left = n;
            while (left > 0) {
                int step = (int) Math.min(left, skipBuffer.length);
                readFully(skipBuffer, 0, step);
                left -= step;
            }
        }

        @Override
        public long position() {
            return position;
        }
    }
}
