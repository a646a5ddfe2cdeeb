package org.xen2kvm.initramfs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The "newc" cpio format as the kernel unpacks it (buffer-format.rst; cpio(5) "New ASCII
 * Format"): a 110-byte header of magic and 13 eight-digit hex fields, the NUL-terminated name,
 * padding to a multiple of 4, the data, padding to a multiple of 4; an entry named TRAILER!!!
 * ends an archive. Alignment counts from the start of the stream the archive sits in (the kernel
 * restarts that count after each compressed segment), not from the archive's own start.
 * Reads "070701" and "070702" (whose checksum, the sum of a regular file's data bytes, is verified); writes
 * "070701". Names are kept byte for byte (ISO-8859-1 maps each byte to one char).
 */
public final class CpioNewc {
    public static final String MAGIC_NEWC = "070701";
    public static final String MAGIC_CRC = "070702";
    /** Magic (6) plus 13 fields of 8 hex digits. */
    public static final int HEADER_SIZE = 110;
    public static final int MAGIC_SIZE = 6;
    public static final int FIELD_SIZE = 8;
    /** Field indexes in header order. */
    static final int F_INO = 0;
    static final int F_MODE = 1;
    static final int F_UID = 2;
    static final int F_GID = 3;
    static final int F_NLINK = 4;
    static final int F_MTIME = 5;
    static final int F_FILESIZE = 6;
    static final int F_DEVMAJOR = 7;
    static final int F_DEVMINOR = 8;
    static final int F_RDEVMAJOR = 9;
    static final int F_RDEVMINOR = 10;
    static final int F_NAMESIZE = 11;
    static final int F_CHECK = 12;
    static final int FIELDS = 13;
    /** Header plus name, and data, are each padded to this. */
    public static final int ALIGN = 4;
    public static final String TRAILER = "TRAILER!!!";

    private CpioNewc() {
    }

    /** What was read from one run of archives, and where it stopped. */
    record Run(List<CpioArchive> archives, int end) {
    }

    /** Entry counts shared by all the archives of one image. */
    static final class Budget {
        private final InitramfsLimits limits;
        private int entries;

        Budget(InitramfsLimits limits) {
            this.limits = limits;
        }

        InitramfsLimits limits() {
            return limits;
        }

        void entry(Location at, long offset) throws InitramfsFormatException {
            if (++entries > limits.maxEntries()) {
                throw new InitramfsFormatException(at.at(offset) + ": more than " + limits.maxEntries()
                        + " cpio entries; refusing the image as hostile or corrupt");
            }
        }
    }

    /** Names a place for messages: the image, the segment, the offset. */
    @FunctionalInterface
    interface Location {
        String at(long offset);
    }

    /** True when a newc or crc header starts at {@code pos}. */
    static boolean isMagicAt(byte[] b, int pos, int end) {
        if (pos + MAGIC_SIZE > end) {
            return false;
        }
        for (int i = 0; i < MAGIC_SIZE - 1; i++) {
            if (b[pos + i] != MAGIC_NEWC.charAt(i)) {
                return false;
            }
        }
        return b[pos + 5] == '1' || b[pos + 5] == '2';
    }

    /**
     * Reads archives from {@code from} while a cpio header follows (after zero padding).
     *
     * @param base     the offset alignment counts from
     * @param wholeRun true when nothing but archives and zeros may follow (decompressed data)
     */
    static Run read(Location where, byte[] b, int base, int from, int end, boolean wholeRun, Budget budget)
            throws InitramfsFormatException {
        List<CpioArchive> archives = new ArrayList<>();
        int pos = from;
        while (pos < end && isMagicAt(b, pos, end)) {
            if ((pos - base) % ALIGN != 0) {
                throw new InitramfsFormatException(where.at(pos) + ": cpio archive starts at an offset not a multiple of "
                        + ALIGN + "; the kernel would not unpack it");
            }
            List<CpioEntry> entries = new ArrayList<>();
            pos = readArchive(where, b, base, pos, end, budget, entries);
            int zeros = 0;
            while (pos + zeros < end && b[pos + zeros] == 0) {
                zeros++;
            }
            archives.add(new CpioArchive(entries, zeros));
            pos += zeros;
        }
        if (wholeRun && pos < end) {
            throw new InitramfsFormatException(where.at(pos) + ": expected a cpio header (" + MAGIC_NEWC
                    + ") or zero padding, found bytes " + hex(b, pos, end) + "; the archive is corrupt");
        }
        return new Run(archives, pos);
    }

    /** Reads one archive up to and including its trailer; returns the offset after it. */
    private static int readArchive(Location where, byte[] b, int base, int start, int end, Budget budget,
            List<CpioEntry> entries) throws InitramfsFormatException {
        int pos = start;
        while (true) {
            if (end - pos < HEADER_SIZE) {
                throw new InitramfsFormatException(where.at(pos) + ": cpio header cut short (" + (end - pos) + " of "
                        + HEADER_SIZE + " bytes); the image is truncated");
            }
            if (!isMagicAt(b, pos, end)) {
                throw new InitramfsFormatException(where.at(pos) + ": cpio header has magic "
                        + printable(b, pos, MAGIC_SIZE) + ", expected " + MAGIC_NEWC + " or " + MAGIC_CRC);
            }
            boolean crc = b[pos + 5] == '2';
            long[] f = new long[FIELDS];
            for (int i = 0; i < FIELDS; i++) {
                f[i] = field(where, b, pos, i);
            }
            long nameSize = f[F_NAMESIZE];
            if (nameSize < 2 || nameSize > budget.limits().maxNameBytes()) {
                throw new InitramfsFormatException(where.at(pos) + ": cpio name size " + nameSize + " outside 2.."
                        + budget.limits().maxNameBytes() + "; refusing the entry");
            }
            int nameStart = pos + HEADER_SIZE;
            if (end - nameStart < nameSize) {
                throw new InitramfsFormatException(where.at(nameStart) + ": cpio name cut short; the image is truncated");
            }
            int nameLen = (int) nameSize - 1;
            if (b[nameStart + nameLen] != 0) {
                throw new InitramfsFormatException(where.at(nameStart) + ": cpio name of " + nameSize
                        + " bytes does not end with NUL");
            }
            for (int i = nameStart; i < nameStart + nameLen; i++) {
                if (b[i] == 0) {
                    throw new InitramfsFormatException(where.at(nameStart) + ": cpio name holds a NUL byte at " + (i - nameStart));
                }
            }
            String name = new String(b, nameStart, nameLen, StandardCharsets.ISO_8859_1);
            long dataStart = align(base, (long) nameStart + nameSize);
            if (name.equals(TRAILER)) {
                return (int) Math.min(dataStart, end);
            }
            budget.entry(where, pos);
            long size = f[F_FILESIZE];
            if (dataStart > end || size > end - dataStart) {
                throw new InitramfsFormatException(where.at(pos) + ": cpio entry " + printable(name) + " has "
                        + size + " bytes of data but the image ends " + Math.max(0, end - dataStart)
                        + " bytes after its header; the image is truncated");
            }
            byte[] data = java.util.Arrays.copyOfRange(b, (int) dataStart, (int) (dataStart + size));
            // Only regular files carry a checksum (GNU cpio writes 0 for the others; the kernel checks files only).
            if (crc && ((int) f[F_MODE] & CpioEntry.S_IFMT) == CpioEntry.S_IFREG) {
                long sum = 0;
                for (byte x : data) {
                    sum += x & 0xff;
                }
                if ((sum & 0xffffffffL) != f[F_CHECK]) {
                    throw new InitramfsFormatException(where.at(pos) + ": cpio entry " + printable(name)
                            + " fails its checksum (header " + Long.toHexString(f[F_CHECK]) + ", data "
                            + Long.toHexString(sum & 0xffffffffL) + ")");
                }
            }
            entries.add(new CpioEntry(name, (int) f[F_MODE], f[F_UID], f[F_GID], f[F_MTIME], f[F_NLINK], f[F_INO],
                    f[F_DEVMAJOR], f[F_DEVMINOR], f[F_RDEVMAJOR], f[F_RDEVMINOR], data));
            long next = align(base, dataStart + size);
            if (next > end) {
                throw new InitramfsFormatException(where.at(pos) + ": cpio entry " + printable(name)
                        + " is missing its padding; the image is truncated");
            }
            pos = (int) next;
        }
    }

    private static long field(Location where, byte[] b, int header, int index) throws InitramfsFormatException {
        int start = header + MAGIC_SIZE + index * FIELD_SIZE;
        long v = 0;
        for (int i = start; i < start + FIELD_SIZE; i++) {
            int d = Character.digit(b[i], 16);
            if (d < 0) {
                throw new InitramfsFormatException(where.at(header) + ": cpio header field " + index + " is "
                        + printable(b, start, FIELD_SIZE) + ", not 8 hex digits");
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private static long align(long base, long offset) {
        long rel = offset - base;
        return offset + (ALIGN - rel % ALIGN) % ALIGN;
    }

    /**
     * Appends an archive: its entries, TRAILER!!!, and its trailing zeros. Inode numbers are
     * assigned from 1; members of a hard-link group keep one number together.
     *
     * @param base the offset in {@code out} that alignment counts from
     */
    static void write(CpioArchive archive, ByteArrayOutputStream out, int base) {
        Map<String, Long> links = new HashMap<>();
        long next = 1;
        for (CpioEntry e : archive.entries()) {
            long ino;
            if (e.isHardLinked()) {
                String key = e.devMajor() + ":" + e.devMinor() + ":" + e.ino();
                Long known = links.get(key);
                if (known == null) {
                    known = next++;
                    links.put(key, known);
                }
                ino = known;
            } else {
                ino = next++;
            }
            writeEntry(out, base, e.name(), ino, e.mode(), e.uid(), e.gid(), e.nlink(), e.mtime(), e.devMajor(), e.devMinor(),
                    e.rdevMajor(), e.rdevMinor(), e.data());
        }
        writeEntry(out, base, TRAILER, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, new byte[0]);
        out.writeBytes(new byte[archive.paddingAfter()]);
    }

    private static void writeEntry(ByteArrayOutputStream out, int base, String name, long ino, int mode, long uid, long gid,
            long nlink, long mtime, long devMajor, long devMinor, long rdevMajor, long rdevMinor, byte[] data) {
        byte[] nameBytes = name.getBytes(StandardCharsets.ISO_8859_1);
        StringBuilder h = new StringBuilder(HEADER_SIZE).append(MAGIC_NEWC);
        long[] f = {ino, mode & 0xffffffffL, uid, gid, nlink, mtime, data.length, devMajor, devMinor, rdevMajor, rdevMinor,
            nameBytes.length + 1L, 0};
        for (long v : f) {
            if (v < 0 || v > 0xffffffffL) {
                throw new IllegalArgumentException("cpio field value " + v + " of " + name + " does not fit 8 hex digits");
            }
            h.append(String.format("%08X", v));
        }
        out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(nameBytes);
        out.write(0);
        pad(out, base);
        out.writeBytes(data);
        pad(out, base);
    }

    private static void pad(ByteArrayOutputStream out, int base) {
        int rel = out.size() - base;
        out.writeBytes(new byte[(ALIGN - rel % ALIGN) % ALIGN]);
    }

    static String hex(byte[] b, int pos, int end) {
        StringBuilder s = new StringBuilder();
        for (int i = pos; i < Math.min(end, pos + 8); i++) {
            s.append(String.format("%02x", b[i] & 0xff));
        }
        return s.toString();
    }

    private static String printable(byte[] b, int pos, int len) {
        return printable(new String(b, pos, len, StandardCharsets.ISO_8859_1));
    }

    static String printable(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < Math.min(s.length(), 80); i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out.append(s.length() > 80 ? "...\"" : "\"").toString();
    }
}
