package org.xen2kvm.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.SliceBlockDevice;

/**
 * Reads an MBR (with the extended-partition chain) or a GPT. A disk without a valid
 * boot signature has no partition table: it may be a whole filesystem (xen-tools' layout).
 */
public final class PartitionTable {
    static final int SECTOR = 512;
    /** MBR layout: boot code, four 16-byte entries at 446, signature 0x55AA at 510. */
    static final int MBR_BOOT_CODE_LENGTH = 440;
    static final int MBR_ENTRIES_OFFSET = 446;
    static final int MBR_ENTRY_SIZE = 16;
    static final int MBR_SIGNATURE_OFFSET = 510;
    static final int MBR_TYPE_GPT_PROTECTIVE = 0xEE;
    /** GPT header (UEFI spec 5.3.2) at LBA 1. */
    static final long GPT_SIGNATURE = 0x5452415020494645L; // "EFI PART"
    static final int GPT_MAX_ENTRIES = 1024;
    /** Logical partitions are a linked list in the guest's data; cap the walk. */
    static final int MAX_LOGICAL = 128;

    private final String scheme;
    private final List<Partition> partitions;
    private final boolean bootCode;

    private PartitionTable(String scheme, List<Partition> partitions, boolean bootCode) {
        this.scheme = scheme;
        this.partitions = List.copyOf(partitions);
        this.bootCode = bootCode;
    }

    /** {@code mbr} or {@code gpt}. */
    public String scheme() {
        return scheme;
    }

    /** Data partitions (no extended containers), in number order. */
    public List<Partition> partitions() {
        return partitions;
    }

    /** True when the MBR's first 440 bytes hold code (a bootloader such as GRUB). */
    public boolean hasBootCode() {
        return bootCode;
    }

    /** The partition as a block device of its own. */
    public BlockDevice open(BlockDevice disk, Partition p) {
        return new SliceBlockDevice(disk, p.offset(), p.length(), disk.describe() + " partition " + p.number());
    }

    /** Reads the table, or empty when the disk has none. */
    public static Optional<PartitionTable> read(BlockDevice disk) throws IOException {
        if (disk.size() < SECTOR) {
            return Optional.empty();
        }
        ByteBuffer mbr = ByteBuffer.wrap(disk.readBytes(0, SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
        if ((mbr.getShort(MBR_SIGNATURE_OFFSET) & 0xFFFF) != 0xAA55) {
            return Optional.empty();
        }
        boolean code = false;
        for (int i = 0; i < MBR_BOOT_CODE_LENGTH; i++) {
            if (mbr.get(i) != 0) {
                code = true;
                break;
            }
        }
        List<Partition> parts = new ArrayList<>();
        List<Partition> primaries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int e = MBR_ENTRIES_OFFSET + i * MBR_ENTRY_SIZE;
            int status = mbr.get(e) & 0xFF;
            int type = mbr.get(e + 4) & 0xFF;
            long start = Integer.toUnsignedLong(mbr.getInt(e + 8));
            long count = Integer.toUnsignedLong(mbr.getInt(e + 12));
            if (type == 0 || count == 0) {
                continue;
            }
            if (status != 0 && status != 0x80) {
                // An ext filesystem's first sector also ends in random bytes; a real MBR never
                // has another status value, so this is no partition table.
                return Optional.empty();
            }
            if (type == MBR_TYPE_GPT_PROTECTIVE) {
                return Optional.of(readGpt(disk, code));
            }
            Partition p = new Partition(i + 1, type, null, start * SECTOR, count * SECTOR, status == 0x80);
            check(disk, p);
            primaries.add(p);
        }
        if (primaries.isEmpty()) {
            return Optional.empty();
        }
        for (Partition p : primaries) {
            if (p.isExtendedContainer()) {
                readLogical(disk, p, parts);
            } else {
                parts.add(p);
            }
        }
        parts.sort((a, b) -> Integer.compare(a.number(), b.number()));
        return Optional.of(new PartitionTable("mbr", parts, code));
    }

    private static void check(BlockDevice disk, Partition p) throws PartitionTableException {
        if (p.offset() < 0 || p.length() <= 0 || p.offset() > disk.size() - p.length()) {
            throw new PartitionTableException(disk.describe() + ": partition " + p.number() + " at byte "
                    + p.offset() + " with " + p.length() + " bytes lies outside the disk of " + disk.size() + " bytes");
        }
    }

    private static void readLogical(BlockDevice disk, Partition ext, List<Partition> out) throws IOException {
        long ebr = ext.offset();
        int number = 5;
        for (int n = 0; n < MAX_LOGICAL; n++) {
            if (ebr < ext.offset() || ebr > ext.offset() + ext.length() - SECTOR) {
                throw new PartitionTableException(disk.describe() + ": extended boot record of partition "
                        + number + " at byte " + ebr + " lies outside the extended partition");
            }
            ByteBuffer b = ByteBuffer.wrap(disk.readBytes(ebr, SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
            if ((b.getShort(MBR_SIGNATURE_OFFSET) & 0xFFFF) != 0xAA55) {
                throw new PartitionTableException(disk.describe() + ": extended boot record at byte " + ebr
                        + " has no 0x55AA signature");
            }
            int type = b.get(MBR_ENTRIES_OFFSET + 4) & 0xFF;
            long start = Integer.toUnsignedLong(b.getInt(MBR_ENTRIES_OFFSET + 8));
            long count = Integer.toUnsignedLong(b.getInt(MBR_ENTRIES_OFFSET + 12));
            if (type != 0 && count != 0) {
                Partition p = new Partition(number++, type, null, ebr + start * SECTOR, count * SECTOR,
                        (b.get(MBR_ENTRIES_OFFSET) & 0xFF) == 0x80);
                check(disk, p);
                out.add(p);
            }
            int e2 = MBR_ENTRIES_OFFSET + MBR_ENTRY_SIZE;
            long nextStart = Integer.toUnsignedLong(b.getInt(e2 + 8));
            if ((b.get(e2 + 4) & 0xFF) == 0 || nextStart == 0) {
                return;
            }
            // The link is relative to the start of the extended partition.
            ebr = ext.offset() + nextStart * SECTOR;
        }
        throw new PartitionTableException(disk.describe() + ": more than " + MAX_LOGICAL
                + " logical partitions (the extended partition chain probably loops)");
    }

    private static PartitionTable readGpt(BlockDevice disk, boolean code) throws IOException {
        if (disk.size() < 2L * SECTOR) {
            throw new PartitionTableException(disk.describe() + ": protective MBR but the disk of " + disk.size()
                    + " bytes ends before the GPT header at byte 512");
        }
        ByteBuffer h = ByteBuffer.wrap(disk.readBytes(SECTOR, SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
        if (h.getLong(0) != GPT_SIGNATURE) {
            throw new PartitionTableException(disk.describe() + ": protective MBR but no GPT header at byte 512");
        }
        long entriesLba = h.getLong(72);
        long count = Integer.toUnsignedLong(h.getInt(80));
        long entrySize = Integer.toUnsignedLong(h.getInt(84));
        if (count > GPT_MAX_ENTRIES || entrySize < 128 || entrySize > 4096 || entrySize % 8 != 0) {
            throw new PartitionTableException(disk.describe() + ": GPT header at byte 512 declares " + count
                    + " entries of " + entrySize + " bytes (at most " + GPT_MAX_ENTRIES + " of 128..4096 supported)");
        }
        long tableBytes = count * entrySize;
        // The LBA is checked before multiplying: a hostile one times the sector size overflows a long.
        if (entriesLba < 0 || entriesLba > disk.size() / SECTOR
                || entriesLba * SECTOR > disk.size() - tableBytes) {
            throw new PartitionTableException(disk.describe() + ": GPT entry array at LBA " + entriesLba
                    + " lies outside the disk");
        }
        ByteBuffer t = ByteBuffer.wrap(disk.readBytes(entriesLba * SECTOR, (int) tableBytes)).order(ByteOrder.LITTLE_ENDIAN);
        List<Partition> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int o = (int) (i * entrySize);
            long lo = t.getLong(o);
            long hi = t.getLong(o + 8);
            if (lo == 0 && hi == 0) {
                continue;
            }
            long first = t.getLong(o + 32);
            long last = t.getLong(o + 40);
            if (first < 0 || last < first) {
                throw new PartitionTableException(disk.describe() + ": GPT entry " + (i + 1) + " has first LBA "
                        + first + " after last LBA " + last);
            }
            // Checked before multiplying: a hostile LBA times the sector size overflows a long.
            if (last >= disk.size() / SECTOR) {
                throw new PartitionTableException(disk.describe() + ": GPT entry " + (i + 1) + " ends at LBA "
                        + last + ", outside the disk of " + disk.size() / SECTOR + " sectors");
            }
            Partition p = new Partition(i + 1, -1, guid(t, o), first * SECTOR,
                    (last - first + 1) * SECTOR, false);
            check(disk, p);
            parts.add(p);
        }
        return new PartitionTable("gpt", parts, code);
    }

    /** A GUID as text: the first three fields are little-endian (UEFI spec appendix A). */
    private static String guid(ByteBuffer t, int o) {
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) {
            b[i] = t.get(o + i);
        }
        HexFormat hex = HexFormat.of();
        return hex.formatHex(new byte[] {b[3], b[2], b[1], b[0]}) + "-" + hex.formatHex(new byte[] {b[5], b[4]}) + "-"
                + hex.formatHex(new byte[] {b[7], b[6]}) + "-" + hex.formatHex(b, 8, 10) + "-" + hex.formatHex(b, 10, 16);
    }
}
