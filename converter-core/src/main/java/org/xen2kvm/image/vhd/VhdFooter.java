package org.xen2kvm.image.vhd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.xen2kvm.image.DiskFormatException;
import org.xen2kvm.image.ImageLimits;

/** The 512-byte hard disk footer ("Hard Disk Footer Format"), big-endian, checksum verified. */
record VhdFooter(long dataOffset, long currentSize, int diskType, byte[] uniqueId, String creatorApp) {
    static final int SIZE = 512;
    static final byte[] COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    static final int OFF_DATA_OFFSET = 16;
    static final int OFF_CREATOR_APP = 28;
    static final int OFF_CURRENT_SIZE = 48;
    static final int OFF_DISK_TYPE = 60;
    static final int OFF_CHECKSUM = 64;
    static final int OFF_UNIQUE_ID = 68;
    static final int UNIQUE_ID_SIZE = 16;
    /** Disk Type field values. */
    static final int TYPE_FIXED = 2;
    static final int TYPE_DYNAMIC = 3;
    static final int TYPE_DIFFERENCING = 4;
    /** Data Offset of a fixed disk: "0xFFFFFFFF" (all ones). */
    static final long NO_DATA_OFFSET = -1L;

    /**
     * Parses a footer read at {@code at} in {@code path}.
     *
     * @throws DiskFormatException on a bad cookie, checksum, type or size
     */
    static VhdFooter parse(Path path, long at, byte[] raw) throws DiskFormatException {
        if (!Arrays.equals(raw, 0, COOKIE.length, COOKIE, 0, COOKIE.length)) {
            throw new DiskFormatException(path, at, "VHD footer cookie is not 'conectix'; the file is not a VHD"
                    + " or its footer is damaged");
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        int stored = b.getInt(OFF_CHECKSUM);
        int computed = checksum(raw, OFF_CHECKSUM);
        if (stored != computed) {
            throw new DiskFormatException(path, at + OFF_CHECKSUM, "VHD footer checksum 0x"
                    + Integer.toHexString(stored) + " does not match the computed 0x" + Integer.toHexString(computed)
                    + "; the footer is damaged");
        }
        int type = b.getInt(OFF_DISK_TYPE);
        if (type != TYPE_FIXED && type != TYPE_DYNAMIC && type != TYPE_DIFFERENCING) {
            throw new DiskFormatException(path, at + OFF_DISK_TYPE, "VHD disk type " + Integer.toUnsignedString(type)
                    + " is not fixed (2), dynamic (3) or differencing (4)");
        }
        long size = b.getLong(OFF_CURRENT_SIZE);
        if (size < 0 || size > ImageLimits.MAX_VIRTUAL_SIZE) {
            throw new DiskFormatException(path, at + OFF_CURRENT_SIZE, "VHD current size "
                    + Long.toUnsignedString(size) + " bytes exceeds the supported " + ImageLimits.MAX_VIRTUAL_SIZE
                    + " bytes (64 TiB)");
        }
        String creator = new String(raw, OFF_CREATOR_APP, 4, StandardCharsets.US_ASCII);
        return new VhdFooter(b.getLong(OFF_DATA_OFFSET), size, type,
                Arrays.copyOfRange(raw, OFF_UNIQUE_ID, OFF_UNIQUE_ID + UNIQUE_ID_SIZE), creator);
    }

    /** "the one's complement of the sum of all the bytes in the footer without the checksum field". */
    static int checksum(byte[] raw, int checksumOffset) {
        int sum = 0;
        for (int i = 0; i < raw.length; i++) {
            if (i < checksumOffset || i >= checksumOffset + 4) {
                sum += raw[i] & 0xff;
            }
        }
        return ~sum;
    }

    String typeName() {
        return switch (diskType) {
            case TYPE_FIXED -> "fixed";
            case TYPE_DYNAMIC -> "dynamic";
            default -> "differencing";
        };
    }
}
