package org.xen2kvm.pkg;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The member table of a Unix ar archive, the container of a {@code .deb} (deb(5), ar(5)):
 * the global magic, then per member a 60-byte ASCII header and the data padded to an even
 * offset. Names come in three forms: dpkg-deb's plain {@code debian-binary} (space padded),
 * GNU's {@code name/} with {@code /N} pointing into the {@code //} long-name table, and BSD's
 * {@code #1/N} with the name in the first N data bytes.
 */
final class ArArchive {
    /** Global header: {@code !<arch>\n}. */
    static final byte[] MAGIC = "!<arch>\n".getBytes(StandardCharsets.US_ASCII);
    /** Size of a member header. */
    static final int HEADER_SIZE = 60;
    /** ar_name: 16 bytes at offset 0. */
    static final int NAME_OFF = 0;
    static final int NAME_LEN = 16;
    /** ar_size: decimal, 10 bytes at offset 48. */
    static final int SIZE_OFF = 48;
    static final int SIZE_LEN = 10;
    /** ar_fmag: the two bytes {@code `\n} at offset 58. */
    static final int FMAG_OFF = 58;
    static final byte[] FMAG = {'`', '\n'};
    /** BSD long names: {@code #1/} followed by the name length. */
    static final String BSD_LONG_NAME = "#1/";
    /** More members than this is no package (a .deb has three). */
    static final int MAX_MEMBERS = 64;
    /** Longest name accepted from a long-name table or BSD name. */
    static final int MAX_NAME = 1024;

    /** One member: its name and where its data lies in the file. */
    record Member(String name, long headerOffset, long dataOffset, long size) {
    }

    private ArArchive() {
    }

    /** True when {@code head} starts with the ar magic. */
    static boolean hasMagic(byte[] head) {
        return head.length >= MAGIC.length && Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /**
     * Reads every member header.
     *
     * @throws PackageFormatException naming the file and the offset of a bad header
     */
    static List<Member> members(Path file, FileChannel ch) throws IOException {
        long length = ch.size();
        byte[] magic = read(file, ch, 0, MAGIC.length, "ar magic");
        if (!hasMagic(magic)) {
            throw new PackageFormatException(file, 0, "not an ar archive (no !<arch> magic); a .deb starts with it");
        }
        List<Member> members = new ArrayList<>();
        byte[] longNames = null;
        long pos = MAGIC.length;
        while (pos < length) {
            if (members.size() >= MAX_MEMBERS) {
                throw new PackageFormatException(file, pos, "more than " + MAX_MEMBERS + " ar members; this is no package");
            }
            if (length - pos < HEADER_SIZE) {
                throw new PackageFormatException(file, pos, "ar member header cut short (" + (length - pos) + " of "
                        + HEADER_SIZE + " bytes)");
            }
            byte[] h = read(file, ch, pos, HEADER_SIZE, "ar member header");
            if (h[FMAG_OFF] != FMAG[0] || h[FMAG_OFF + 1] != FMAG[1]) {
                throw new PackageFormatException(file, pos + FMAG_OFF, "ar member header lacks its `\\n terminator");
            }
            long size = decimal(file, pos + SIZE_OFF, h, SIZE_OFF, SIZE_LEN, "member size");
            long data = pos + HEADER_SIZE;
            if (size > length - data) {
                throw new PackageFormatException(file, pos + SIZE_OFF, "ar member of " + size + " bytes runs past the end of the "
                        + length + "-byte file");
            }
            String raw = ascii(h, NAME_OFF, NAME_LEN).stripTrailing();
            String name;
            long nameInData = 0;
            if (raw.startsWith(BSD_LONG_NAME)) {
                long n = decimal(file, pos, raw.substring(BSD_LONG_NAME.length()).getBytes(StandardCharsets.US_ASCII), 0,
                        raw.length() - BSD_LONG_NAME.length(), "BSD name length");
                if (n > MAX_NAME || n > size) {
                    throw new PackageFormatException(file, pos, "BSD ar name of " + n + " bytes in a member of " + size + " bytes");
                }
                name = cString(read(file, ch, data, (int) n, "BSD ar name"));
                nameInData = n;
            } else if (raw.equals("//")) {
                if (size > MAX_NAME * (long) MAX_MEMBERS) {
                    throw new PackageFormatException(file, pos, "GNU ar long-name table of " + size + " bytes is too large");
                }
                longNames = read(file, ch, data, (int) size, "GNU ar long-name table");
                pos = next(data, size);
                continue;
            } else if (raw.equals("/") || raw.equals("/SYM64/")) {
                pos = next(data, size); // symbol table: not in packages, nothing to read
                continue;
            } else if (raw.startsWith("/")) {
                if (longNames == null) {
                    throw new PackageFormatException(file, pos, "GNU ar name '" + raw + "' without a // long-name table before it");
                }
                long at = decimal(file, pos, raw.substring(1).getBytes(StandardCharsets.US_ASCII), 0, raw.length() - 1,
                        "GNU long-name offset");
                if (at >= longNames.length) {
                    throw new PackageFormatException(file, pos, "GNU ar name offset " + at + " is past the "
                            + longNames.length + "-byte long-name table");
                }
                int end = (int) at;
                while (end < longNames.length && longNames[end] != '\n') {
                    end++;
                }
                name = new String(longNames, (int) at, end - (int) at, StandardCharsets.UTF_8);
                if (name.endsWith("/")) {
                    name = name.substring(0, name.length() - 1);
                }
            } else {
                name = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
            }
            members.add(new Member(name, pos, data + nameInData, size - nameInData));
            pos = next(data, size);
        }
        return members;
    }

    /** Data is padded to an even offset with a newline. */
    private static long next(long data, long size) {
        long end = data + size;
        return end + (end & 1);
    }

    private static long decimal(Path file, long offset, byte[] b, int off, int len, String field) throws PackageFormatException {
        long v = 0;
        int digits = 0;
        for (int i = off; i < off + len; i++) {
            int c = b[i];
            if (c == ' ') {
                if (digits > 0) {
                    break;
                }
                continue;
            }
            if (c < '0' || c > '9') {
                throw new PackageFormatException(file, offset, "ar " + field + " '" + ascii(b, off, len).strip()
                        + "' is not a decimal number");
            }
            v = v * 10 + (c - '0');
            digits++;
        }
        if (digits == 0) {
            throw new PackageFormatException(file, offset, "ar " + field + " is empty");
        }
        return v;
    }

    private static String ascii(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len);
        for (int i = off; i < off + len; i++) {
            int c = b[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return sb.toString();
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    static byte[] read(Path file, FileChannel ch, long offset, int len, String what) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len);
        while (buf.hasRemaining()) {
            int n = ch.read(buf, offset + buf.position());
            if (n < 0) {
                throw new PackageFormatException(file, offset, what + " cut short at " + buf.position() + " of " + len + " bytes");
            }
        }
        return buf.array();
    }
}
