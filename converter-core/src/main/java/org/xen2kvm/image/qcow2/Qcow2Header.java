package org.xen2kvm.image.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.image.BackingReference;
import org.xen2kvm.image.DiskFormatException;
import org.xen2kvm.image.ImageLimits;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.image.DiskFormat;

/**
 * The validated qcow2 header (QEMU docs/interop/qcow2.txt, "Header" and "Header extensions").
 * Every number is checked against the file before any table is read.
 */
record Qcow2Header(int version, int clusterBits, long virtualSize, int l1Size, long l1TableOffset,
        int refcountBits, int snapshots, boolean dirty, BackingReference backing, List<String> notes) {

    // Offsets in the fixed header, bytes 0..103 ("Header").
    static final int OFF_COMPRESSION_TYPE = 104;
    /** Version 2 headers end before the feature fields. */
    static final int V2_HEADER_LENGTH = 72;
    /** Smallest version 3 header (through header_length). */
    static final int V3_MIN_HEADER_LENGTH = 104;
    /** "cluster_bits ... must not be less than 9 ... QEMU ... does not support ... larger than 2 MB" */
    static final int MIN_CLUSTER_BITS = 9;
    static final int MAX_CLUSTER_BITS = 21;
    /** "backing_file_size ... Must not be longer than 1023 bytes." */
    static final int MAX_BACKING_FILE_SIZE = 1023;
    /** refcount_order: "refcount_bits = 1 << refcount_order ... must not exceed 6" */
    static final int MAX_REFCOUNT_ORDER = 6;
    static final int V2_REFCOUNT_ORDER = 4;

    // Incompatible feature bits ("incompatible_features").
    static final int FEATURE_DIRTY = 0;
    static final int FEATURE_CORRUPT = 1;
    static final int FEATURE_EXTERNAL_DATA_FILE = 2;
    static final int FEATURE_COMPRESSION_TYPE = 3;
    static final int FEATURE_EXTENDED_L2 = 4;
    /** compression_type 0: zlib/deflate, the only one a pure-Java reader has for free. */
    static final int COMPRESSION_ZLIB = 0;
    static final int COMPRESSION_ZSTD = 1;

    // Header extension types ("Header extensions").
    static final int EXT_END = 0;
    static final int EXT_BACKING_FORMAT = 0xe2792aca;
    static final int EXT_FEATURE_NAMES = 0x6803f857;
    static final int EXT_FULL_DISK_ENCRYPTION = 0x0537be77;
    static final int EXT_EXTERNAL_DATA_FILE = 0x44415441;
    /** Feature name table entries: type (1), bit number (1), name (46). */
    static final int FEATURE_NAME_ENTRY = 48;
    static final int FEATURE_NAME_LENGTH = 46;

    static Qcow2Header read(RawFileDevice file) throws IOException {
        Path path = file.path();
        long fileSize = file.size();
        if (fileSize < V2_HEADER_LENGTH) {
            throw new DiskFormatException(path, fileSize, "qcow2 header truncated: the file has " + fileSize
                    + " bytes, the header needs " + V2_HEADER_LENGTH);
        }
        ByteBuffer h = ByteBuffer.wrap(file.readBytes(0, (int) Math.min(fileSize, 1 << MAX_CLUSTER_BITS)));
        int magic = h.getInt(0);
        if (magic != Qcow2Format.MAGIC) {
            throw new DiskFormatException(path, 0, "not a qcow2 image: magic 0x" + Integer.toHexString(magic)
                    + " is not QFI\\xfb");
        }
        int version = h.getInt(Qcow2Format.OFF_VERSION);
        if (version != 2 && version != 3) {
            throw new DiskFormatException(path, Qcow2Format.OFF_VERSION, "qcow2 version " + Integer.toUnsignedString(version)
                    + " is not supported (only 2 and 3)");
        }
        int clusterBits = h.getInt(Qcow2Format.OFF_CLUSTER_BITS);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw new DiskFormatException(path, Qcow2Format.OFF_CLUSTER_BITS, "qcow2 cluster_bits " + clusterBits
                    + " is outside " + MIN_CLUSTER_BITS + ".." + MAX_CLUSTER_BITS);
        }
        int clusterSize = 1 << clusterBits;
        int headerLength = V2_HEADER_LENGTH;
        int refcountOrder = V2_REFCOUNT_ORDER;
        long incompatible = 0;
        int compressionType = COMPRESSION_ZLIB;
        if (version == 3) {
            if (fileSize < V3_MIN_HEADER_LENGTH) {
                throw new DiskFormatException(path, fileSize, "qcow2 v3 header truncated: the file has "
                        + fileSize + " bytes, the header needs " + V3_MIN_HEADER_LENGTH);
            }
            headerLength = h.getInt(Qcow2Format.OFF_HEADER_LENGTH);
            if (headerLength < V3_MIN_HEADER_LENGTH || headerLength > Math.min(clusterSize, h.capacity())) {
                throw new DiskFormatException(path, Qcow2Format.OFF_HEADER_LENGTH, "qcow2 header_length "
                        + Integer.toUnsignedString(headerLength) + " is outside " + V3_MIN_HEADER_LENGTH
                        + ".." + clusterSize + " (one cluster) or past the end of the file");
            }
            incompatible = h.getLong(Qcow2Format.OFF_INCOMPATIBLE_FEATURES);
            refcountOrder = h.getInt(Qcow2Format.OFF_REFCOUNT_ORDER);
            if (refcountOrder < 0 || refcountOrder > MAX_REFCOUNT_ORDER) {
                throw new DiskFormatException(path, Qcow2Format.OFF_REFCOUNT_ORDER, "qcow2 refcount_order "
                        + Integer.toUnsignedString(refcountOrder) + " is outside 0.." + MAX_REFCOUNT_ORDER);
            }
            if (headerLength > OFF_COMPRESSION_TYPE) {
                compressionType = h.get(OFF_COMPRESSION_TYPE) & 0xff;
            }
        }
        Extensions ext = readExtensions(path, h, headerLength, clusterSize);
        List<String> notes = new ArrayList<>();
        boolean dirty = checkFeatures(path, incompatible, compressionType, ext, notes);

        int crypt = h.getInt(Qcow2Format.OFF_CRYPT_METHOD);
        if (crypt != 0 || ext.encrypted) {
            throw new DiskFormatException(path, Qcow2Format.OFF_CRYPT_METHOD, "qcow2 image is encrypted (crypt_method "
                    + Integer.toUnsignedString(crypt) + "); decrypt it with qemu-img convert first");
        }
        long size = h.getLong(Qcow2Format.OFF_SIZE);
        if (size < 0 || size > ImageLimits.MAX_VIRTUAL_SIZE) {
            throw new DiskFormatException(path, Qcow2Format.OFF_SIZE, "qcow2 virtual size " + Long.toUnsignedString(size)
                    + " bytes exceeds the supported " + ImageLimits.MAX_VIRTUAL_SIZE + " bytes (64 TiB)");
        }
        int l1Size = h.getInt(Qcow2Format.OFF_L1_SIZE);
        long l1Offset = h.getLong(Qcow2Format.OFF_L1_TABLE_OFFSET);
        int l2Bits = clusterBits - 3;
        long bytesPerL1Entry = 1L << (clusterBits + l2Bits);
        long neededL1 = (size + bytesPerL1Entry - 1) / bytesPerL1Entry;
        if (l1Size < 0 || (long) l1Size * 8 > ImageLimits.MAX_TABLE_BYTES) {
            throw new DiskFormatException(path, Qcow2Format.OFF_L1_SIZE, "qcow2 l1_size " + Integer.toUnsignedString(l1Size)
                    + " exceeds the supported " + ImageLimits.MAX_TABLE_BYTES / 8 + " entries");
        }
        if (l1Size < neededL1) {
            throw new DiskFormatException(path, Qcow2Format.OFF_L1_SIZE, "qcow2 l1_size " + l1Size + " is too small for the "
                    + size + "-byte virtual size (needs " + neededL1 + ")");
        }
        if (l1Size > 0 && (l1Offset <= 0 || (l1Offset & (clusterSize - 1)) != 0
                || l1Offset > fileSize - (long) l1Size * 8)) {
            throw new DiskFormatException(path, Qcow2Format.OFF_L1_TABLE_OFFSET, "qcow2 l1_table_offset "
                    + Long.toUnsignedString(l1Offset) + " is not cluster-aligned or the " + l1Size
                    + "-entry table lies past the end of the file (" + fileSize + " bytes)");
        }
        BackingReference backing = readBackingName(path, h, fileSize, ext.backingFormat);
        int snapshots = h.getInt(Qcow2Format.OFF_NB_SNAPSHOTS);
        return new Qcow2Header(version, clusterBits, size, l1Size, l1Offset, 1 << refcountOrder, snapshots,
                dirty, backing, List.copyOf(notes));
    }

    private static boolean checkFeatures(Path path, long incompatible, int compressionType, Extensions ext,
            List<String> notes) throws DiskFormatException {
        for (int bit = 0; bit < 64; bit++) {
            if ((incompatible & (1L << bit)) == 0) {
                continue;
            }
            switch (bit) {
                case FEATURE_DIRTY -> notes.add("dirty bit set: refcounts may be stale; data is read through L1/L2 only");
                case FEATURE_CORRUPT -> throw new DiskFormatException(path, Qcow2Format.OFF_INCOMPATIBLE_FEATURES,
                        "qcow2 image is marked corrupt (incompatible feature bit 1); repair a copy with"
                        + " 'qemu-img check -r all' first");
                case FEATURE_EXTERNAL_DATA_FILE -> throw new DiskFormatException(path, Qcow2Format.OFF_INCOMPATIBLE_FEATURES,
                        "qcow2 external data files are not supported (incompatible feature bit 2); convert the"
                        + " image with qemu-img convert first");
                case FEATURE_COMPRESSION_TYPE -> {
                    if (compressionType != COMPRESSION_ZLIB) {
                        String name = compressionType == COMPRESSION_ZSTD ? "zstd" : "type " + compressionType;
                        throw new DiskFormatException(path, OFF_COMPRESSION_TYPE, "qcow2 compression " + name
                                + " is not supported (only zlib); recompress with 'qemu-img convert -c -o"
                                + " compression_type=zlib' or convert uncompressed");
                    }
                }
                case FEATURE_EXTENDED_L2 -> throw new DiskFormatException(path, Qcow2Format.OFF_INCOMPATIBLE_FEATURES,
                        "qcow2 extended L2 entries are not supported (incompatible feature bit 4); convert the"
                        + " image with 'qemu-img convert -O qcow2' first");
                default -> {
                    String name = ext.incompatibleNames[bit];
                    throw new DiskFormatException(path, Qcow2Format.OFF_INCOMPATIBLE_FEATURES, "qcow2 incompatible feature bit "
                            + bit + (name != null ? " (" + name + ")" : "") + " is not supported");
                }
            }
        }
        if (compressionType != COMPRESSION_ZLIB) {
            throw new DiskFormatException(path, OFF_COMPRESSION_TYPE, "qcow2 compression_type " + compressionType
                    + " is set without incompatible feature bit 3");
        }
        return (incompatible & (1L << FEATURE_DIRTY)) != 0;
    }

    /** What the header extensions told us. */
    private static final class Extensions {
        DiskFormat backingFormat;
        boolean encrypted;
        final String[] incompatibleNames = new String[64];
    }

    private static Extensions readExtensions(Path path, ByteBuffer h, int start, int clusterSize)
            throws DiskFormatException {
        Extensions ext = new Extensions();
        long end = Math.min(clusterSize, h.capacity());
        long pos = start;
        while (pos + 8 <= end) {
            int type = h.getInt((int) pos);
            long length = Integer.toUnsignedLong(h.getInt((int) pos + 4));
            long data = pos + 8;
            if (type == EXT_END) {
                return ext;
            }
            if (length > end - data) {
                throw new DiskFormatException(path, pos, "qcow2 header extension 0x" + Integer.toHexString(type)
                        + " of " + length + " bytes runs past the first cluster");
            }
            switch (type) {
                case EXT_BACKING_FORMAT -> {
                    String name = ascii(h, (int) data, (int) length);
                    ext.backingFormat = DiskFormat.fromName(name).orElseThrow(() -> new DiskFormatException(
                            path, data, "qcow2 backing format '" + name + "' is not a known image format"));
                }
                case EXT_FEATURE_NAMES -> {
                    for (long e = data; e + FEATURE_NAME_ENTRY <= data + length; e += FEATURE_NAME_ENTRY) {
                        int kind = h.get((int) e) & 0xff;
                        int bit = h.get((int) e + 1) & 0xff;
                        if (kind == 0 && bit < 64) {
                            ext.incompatibleNames[bit] = ascii(h, (int) e + 2, FEATURE_NAME_LENGTH);
                        }
                    }
                }
                case EXT_FULL_DISK_ENCRYPTION -> ext.encrypted = true;
                case EXT_EXTERNAL_DATA_FILE -> throw new DiskFormatException(path, pos,
                        "qcow2 external data files are not supported; convert the image with qemu-img convert first");
                default -> {
                    // Other extensions (bitmaps, unknown) do not change what the guest reads.
                }
            }
            pos = data + ((length + 7) & ~7L);
        }
        return ext;
    }

    private static BackingReference readBackingName(Path path, ByteBuffer h, long fileSize, DiskFormat format)
            throws IOException {
        long offset = h.getLong(Qcow2Format.OFF_BACKING_FILE_OFFSET);
        int length = h.getInt(Qcow2Format.OFF_BACKING_FILE_SIZE);
        if (offset == 0) {
            return null;
        }
        if (length <= 0 || length > MAX_BACKING_FILE_SIZE) {
            throw new DiskFormatException(path, Qcow2Format.OFF_BACKING_FILE_SIZE, "qcow2 backing_file_size "
                    + Integer.toUnsignedString(length) + " is outside 1.." + MAX_BACKING_FILE_SIZE);
        }
        if (offset < 0 || offset > h.capacity() - length) {
            throw new DiskFormatException(path, Qcow2Format.OFF_BACKING_FILE_OFFSET, "qcow2 backing file name at "
                    + Long.toUnsignedString(offset) + " (" + length + " bytes) lies outside the first cluster"
                    + " or past the end of the file (" + fileSize + " bytes)");
        }
        String name = new String(h.array(), (int) offset, length, StandardCharsets.UTF_8);
        if (name.indexOf('\0') >= 0) {
            throw new DiskFormatException(path, offset, "qcow2 backing file name contains a NUL byte");
        }
        return new BackingReference(name, format, offset);
    }

    private static String ascii(ByteBuffer h, int offset, int length) {
        int n = 0;
        while (n < length && h.get(offset + n) != 0) {
            n++;
        }
        return new String(h.array(), offset, n, StandardCharsets.US_ASCII);
    }
}
