package org.xen2kvm.pkg;

import static org.xen2kvm.pkg.RpmFormat.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One RPM header structure (the signature header or the main header): the index of
 * {@code (tag, type, offset, count)} entries and the data store they point into. Values are
 * bounds-checked when read, so a damaged entry fails naming its tag.
 */
final class RpmHeader {
    /** Strings one entry may hold (a kernel RPM lists about 6,000 files). */
    static final int MAX_STRINGS = 1_000_000;

    private record Entry(int tag, int type, int offset, int count) {
    }

    private final Path file;
    private final String which;
    private final long start;
    private final long end;
    private final ByteBuffer store;
    private final Map<Integer, Entry> entries;

    private RpmHeader(Path file, String which, long start, long end, ByteBuffer store, Map<Integer, Entry> entries) {
        this.file = file;
        this.which = which;
        this.start = start;
        this.end = end;
        this.store = store;
        this.entries = entries;
    }

    /**
     * Reads the header structure at {@code offset}.
     *
     * @param which "signature header" or "header", for messages
     * @throws PackageFormatException for a bad magic, counts over rpm's limits, or a header past the end of the file
     */
    static RpmHeader read(Path file, FileChannel ch, long offset, String which) throws IOException {
        long length = ch.size();
        if (length - offset < HEADER_INTRO) {
            throw new PackageFormatException(file, offset, which + " cut short: the file ends " + Math.max(0, length - offset)
                    + " bytes into its 16-byte start");
        }
        byte[] b = ArArchive.read(file, ch, offset, HEADER_INTRO, which);
        if (!Arrays.equals(b, 0, HEADER_MAGIC.length, HEADER_MAGIC, 0, HEADER_MAGIC.length)) {
            throw new PackageFormatException(file, offset, which + " lacks its magic 8e ad e8 01");
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        long nindex = Integer.toUnsignedLong(bb.getInt(HEADER_NINDEX));
        long hsize = Integer.toUnsignedLong(bb.getInt(HEADER_HSIZE));
        if (nindex == 0 || nindex > MAX_INDEX_ENTRIES) {
            throw new PackageFormatException(file, offset + HEADER_NINDEX, which + " has " + nindex + " index entries (1 to "
                    + MAX_INDEX_ENTRIES + " allowed)");
        }
        if (hsize > MAX_STORE) {
            throw new PackageFormatException(file, offset + HEADER_HSIZE, which + " data store of " + hsize
                    + " bytes is over rpm's limit of " + MAX_STORE);
        }
        long indexStart = offset + HEADER_INTRO;
        long storeStart = indexStart + nindex * ENTRY_SIZE;
        long end = storeStart + hsize;
        if (end > length) {
            throw new PackageFormatException(file, offset, which + " of " + (end - offset) + " bytes runs past the end of the "
                    + length + "-byte file");
        }
        ByteBuffer index = ByteBuffer.wrap(ArArchive.read(file, ch, indexStart, (int) (nindex * ENTRY_SIZE), which + " index"));
        ByteBuffer store = ByteBuffer.wrap(ArArchive.read(file, ch, storeStart, (int) hsize, which + " store"));
        Map<Integer, Entry> entries = new HashMap<>();
        for (int i = 0; i < nindex; i++) {
            int at = i * ENTRY_SIZE;
            Entry e = new Entry(index.getInt(at), index.getInt(at + 4), index.getInt(at + 8), index.getInt(at + 12));
            if (e.type() < TYPE_NULL || e.type() > TYPE_I18NSTRING) {
                throw new PackageFormatException(file, indexStart + at, which + " " + tagName(e.tag()) + " has unknown type "
                        + e.type());
            }
            if (e.offset() < 0 || e.offset() > hsize || e.count() < 0 || e.count() > hsize + 1L) {
                // A count may exceed the store only for NULL entries, which carry no data.
                if (e.type() != TYPE_NULL || e.offset() < 0 || e.offset() > hsize) {
                    throw new PackageFormatException(file, indexStart + at, which + " " + tagName(e.tag()) + ": offset "
                            + Integer.toUnsignedString(e.offset()) + " and count " + Integer.toUnsignedString(e.count())
                            + " lie outside its " + hsize + "-byte store");
                }
            }
            entries.putIfAbsent(e.tag(), e);
        }
        return new RpmHeader(file, which, offset, end, store, entries);
    }

    /** File offset of the first byte after the store. */
    long end() {
        return end;
    }

    long start() {
        return start;
    }

    boolean has(int tag) {
        return entries.containsKey(tag);
    }

    private PackageFormatException bad(Entry e, String what) {
        return new PackageFormatException(file, which + " " + tagName(e.tag()), what);
    }

    private Entry entry(int tag, int... types) throws PackageFormatException {
        Entry e = entries.get(tag);
        if (e == null) {
            return null;
        }
        for (int t : types) {
            if (e.type() == t) {
                return e;
            }
        }
        throw bad(e, "has type " + e.type() + ", expected " + Arrays.toString(types));
    }

    /** A STRING (or the first of a STRING_ARRAY/I18NSTRING), or empty when the tag is absent. */
    Optional<String> string(int tag) throws PackageFormatException {
        Entry e = entry(tag, TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING);
        if (e == null) {
            return Optional.empty();
        }
        if (e.count() < 1) {
            throw bad(e, "string entry with count 0");
        }
        return Optional.of(strings(e, 1).get(0));
    }

    /** A STRING_ARRAY's strings, or an empty list when the tag is absent. */
    List<String> stringArray(int tag) throws PackageFormatException {
        Entry e = entry(tag, TYPE_STRING_ARRAY, TYPE_STRING);
        return e == null ? List.of() : strings(e, e.count());
    }

    private List<String> strings(Entry e, int count) throws PackageFormatException {
        if (count > MAX_STRINGS) {
            throw bad(e, count + " strings; more than " + MAX_STRINGS + " is no kernel package");
        }
        List<String> out = new ArrayList<>(Math.min(count, 1 << 16));
        int pos = e.offset();
        byte[] a = store.array();
        for (int i = 0; i < count; i++) {
            int z = pos;
            while (z < a.length && a[z] != 0) {
                z++;
            }
            if (z >= a.length) {
                throw bad(e, "string " + i + " of " + count + " runs past the end of the store");
            }
            out.add(new String(a, pos, z - pos, StandardCharsets.UTF_8));
            pos = z + 1;
        }
        return out;
    }

    /** Integers of an INT16 (unsigned), INT32 or INT64 entry, widened to long; empty when absent. */
    long[] numbers(int tag) throws PackageFormatException {
        Entry e = entry(tag, TYPE_INT16, TYPE_INT32, TYPE_INT64);
        if (e == null) {
            return new long[0];
        }
        int width = switch (e.type()) {
            case TYPE_INT16 -> 2;
            case TYPE_INT32 -> 4;
            default -> 8;
        };
        if ((long) e.offset() + (long) e.count() * width > store.capacity()) {
            throw bad(e, e.count() + " values of " + width + " bytes at offset " + e.offset() + " run past the "
                    + store.capacity() + "-byte store");
        }
        long[] out = new long[e.count()];
        for (int i = 0; i < out.length; i++) {
            int at = e.offset() + i * width;
            out[i] = switch (width) {
                case 2 -> Short.toUnsignedInt(store.getShort(at));
                case 4 -> Integer.toUnsignedLong(store.getInt(at));
                default -> store.getLong(at);
            };
        }
        return out;
    }

    /** Where this header's entry for {@code tag} is, for messages. */
    String where(int tag) {
        return which + " " + tagName(tag);
    }
}
