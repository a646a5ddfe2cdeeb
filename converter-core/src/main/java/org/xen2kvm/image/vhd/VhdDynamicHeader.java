package org.xen2kvm.image.vhd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.xen2kvm.image.DiskFormatException;
import org.xen2kvm.image.ImageLimits;
import org.xen2kvm.image.RawFileDevice;

/**
 * The 1024-byte dynamic disk header ("Dynamic Disk Header Format") of dynamic and differencing
 * VHDs, with the parent locators of a differencing disk decoded to candidate file names.
 */
record VhdDynamicHeader(long tableOffset, int maxTableEntries, int blockSize, byte[] parentUniqueId,
        String parentName, List<String> parentLocators) {
    static final int SIZE = 1024;
    static final byte[] COOKIE = "cxsparse".getBytes(StandardCharsets.US_ASCII);
    static final int OFF_TABLE_OFFSET = 16;
    static final int OFF_MAX_TABLE_ENTRIES = 28;
    static final int OFF_BLOCK_SIZE = 32;
    static final int OFF_CHECKSUM = 36;
    static final int OFF_PARENT_UNIQUE_ID = 40;
    static final int OFF_PARENT_UNICODE_NAME = 64;
    static final int PARENT_UNICODE_NAME_SIZE = 512;
    static final int OFF_PARENT_LOCATORS = 576;
    static final int LOCATOR_ENTRY_SIZE = 24;
    static final int LOCATOR_ENTRIES = 8;
    // Parent locator entry fields.
    static final int LOC_PLATFORM_CODE = 0;
    static final int LOC_DATA_LENGTH = 8;
    static final int LOC_DATA_OFFSET = 16;
    /** Platform codes: relative and absolute Windows paths (UTF-16LE), Mac OS X file URL (UTF-8). */
    static final int PLATFORM_W2RU = 0x57327275;
    static final int PLATFORM_W2KU = 0x57326b75;
    static final int PLATFORM_MACX = 0x4d616358;
    /** A locator longer than this is not a path. */
    static final int MAX_LOCATOR_BYTES = 64 * 1024;
    /** Block sizes accepted: a whole number of sectors, a power of two, at most 256 MiB (spec default 2 MiB). */
    static final int MIN_BLOCK_SIZE = 512;
    static final int MAX_BLOCK_SIZE = 256 << 20;

    static VhdDynamicHeader read(RawFileDevice file, long at, boolean differencing) throws IOException {
        Path path = file.path();
        if (at < 0 || at > file.size() - SIZE) {
            throw new DiskFormatException(path, VhdFooter.OFF_DATA_OFFSET, "VHD dynamic header offset "
                    + Long.toUnsignedString(at) + " lies past the end of the file (" + file.size() + " bytes)");
        }
        byte[] raw = file.readBytes(at, SIZE);
        if (!Arrays.equals(raw, 0, COOKIE.length, COOKIE, 0, COOKIE.length)) {
            throw new DiskFormatException(path, at, "VHD dynamic header cookie is not 'cxsparse'");
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        int stored = b.getInt(OFF_CHECKSUM);
        int computed = VhdFooter.checksum(raw, OFF_CHECKSUM);
        if (stored != computed) {
            throw new DiskFormatException(path, at + OFF_CHECKSUM, "VHD dynamic header checksum 0x"
                    + Integer.toHexString(stored) + " does not match the computed 0x"
                    + Integer.toHexString(computed) + "; the header is damaged");
        }
        int blockSize = b.getInt(OFF_BLOCK_SIZE);
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw new DiskFormatException(path, at + OFF_BLOCK_SIZE, "VHD block size "
                    + Integer.toUnsignedString(blockSize) + " is not a power of two between " + MIN_BLOCK_SIZE
                    + " and " + MAX_BLOCK_SIZE);
        }
        int entries = b.getInt(OFF_MAX_TABLE_ENTRIES);
        long tableOffset = b.getLong(OFF_TABLE_OFFSET);
        if (entries < 0 || (long) entries * 4 > ImageLimits.MAX_TABLE_BYTES) {
            throw new DiskFormatException(path, at + OFF_MAX_TABLE_ENTRIES, "VHD max table entries "
                    + Integer.toUnsignedString(entries) + " exceeds the supported " + ImageLimits.MAX_TABLE_BYTES / 4);
        }
        if (tableOffset < 0 || tableOffset > file.size() - 4L * entries) {
            throw new DiskFormatException(path, at + OFF_TABLE_OFFSET, "VHD block allocation table at "
                    + Long.toUnsignedString(tableOffset) + " (" + entries + " entries) lies past the end of the file ("
                    + file.size() + " bytes)");
        }
        byte[] parentId = Arrays.copyOfRange(raw, OFF_PARENT_UNIQUE_ID, OFF_PARENT_UNIQUE_ID + 16);
        String parentName = utf16(raw, OFF_PARENT_UNICODE_NAME, PARENT_UNICODE_NAME_SIZE, false);
        List<String> locators = differencing ? readLocators(file, at, b) : List.of();
        return new VhdDynamicHeader(tableOffset, entries, blockSize, parentId, parentName, locators);
    }

    /** Parent file names, relative first (they survive moving the chain), then absolute, then URLs. */
    private static List<String> readLocators(RawFileDevice file, long at, ByteBuffer b) throws IOException {
        List<String> relative = new ArrayList<>();
        List<String> absolute = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < LOCATOR_ENTRIES; i++) {
            int e = OFF_PARENT_LOCATORS + i * LOCATOR_ENTRY_SIZE;
            int code = b.getInt(e + LOC_PLATFORM_CODE);
            if (code != PLATFORM_W2RU && code != PLATFORM_W2KU && code != PLATFORM_MACX) {
                continue;
            }
            long length = Integer.toUnsignedLong(b.getInt(e + LOC_DATA_LENGTH));
            long offset = b.getLong(e + LOC_DATA_OFFSET);
            if (length == 0 || length > MAX_LOCATOR_BYTES || offset < 0 || offset > file.size() - length) {
                throw new DiskFormatException(file.path(), at + e, "VHD parent locator " + i + " ("
                        + length + " bytes at " + Long.toUnsignedString(offset) + ") lies past the end of the file ("
                        + file.size() + " bytes) or is too long");
            }
            byte[] data = file.readBytes(offset, (int) length);
            switch (code) {
                case PLATFORM_W2RU -> relative.add(utf16(data, 0, data.length, true));
                case PLATFORM_W2KU -> absolute.add(utf16(data, 0, data.length, true));
                default -> urls.add(new String(data, StandardCharsets.UTF_8).replace("\0", ""));
            }
        }
        List<String> all = new ArrayList<>(relative);
        all.addAll(absolute);
        all.addAll(urls);
        all.removeIf(String::isEmpty);
        return all;
    }

    private static String utf16(byte[] raw, int offset, int length, boolean littleEndian) {
        String s = new String(raw, offset, length & ~1,
                littleEndian ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }
}
