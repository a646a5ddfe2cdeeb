package org.xen2kvm.image.vhd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xen2kvm.image.BackingOpener;
import org.xen2kvm.image.BackingReference;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.DiskFormatException;
import org.xen2kvm.image.Extent;
import org.xen2kvm.image.Extents;
import org.xen2kvm.image.FormatImage;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.image.TableCache;
import org.xen2kvm.image.Zeros;
import org.xen2kvm.image.DiskFormat;

/**
 * A VHD image (fixed, dynamic or differencing) decoded read-only. In dynamic and differencing
 * disks each allocated block starts with a sector bitmap: a set bit means the sector is stored
 * here; a clear bit reads from the parent (differencing) or as zeros (dynamic).
 */
public final class VhdImage implements FormatImage {
    static final int SECTOR = 512;
    /** BAT entry of a block that is not stored in this file. */
    static final int BAT_UNUSED = 0xffffffff;

    private final RawFileDevice file;
    private final VhdFooter footer;
    private final long footerOffset;
    private final VhdDynamicHeader header;
    private final int[] bat;
    private final int bitmapBytes;
    private final TableCache<byte[]> bitmaps;
    private FormatImage parent;

    private VhdImage(RawFileDevice file, VhdFooter footer, long footerOffset, VhdDynamicHeader header, int[] bat) {
        this.file = file;
        this.footer = footer;
        this.footerOffset = footerOffset;
        this.header = header;
        this.bat = bat;
        if (header != null) {
            int sectorsPerBlock = header.blockSize() / SECTOR;
            this.bitmapBytes = ((sectorsPerBlock + 8 * SECTOR - 1) / (8 * SECTOR)) * SECTOR;
            this.bitmaps = new TableCache<>(TableCache.entriesFor(bitmapBytes));
        } else {
            this.bitmapBytes = 0;
            this.bitmaps = null;
        }
    }

    /**
     * Decodes {@code file} as VHD, opening a differencing disk's parent through {@code parents}.
     * Takes ownership of {@code file}.
     *
     * @throws DiskFormatException on bad checksums, cookies, sizes, or BAT entries past the end of file
     */
    public static VhdImage open(RawFileDevice file, BackingOpener parents) throws IOException {
        try {
            Path path = file.path();
            long fileSize = file.size();
            if (fileSize < VhdFooter.SIZE) {
                throw new DiskFormatException(path, 0, "VHD truncated: the file has " + fileSize
                        + " bytes, less than the " + VhdFooter.SIZE + "-byte footer");
            }
            long at = fileSize - VhdFooter.SIZE;
            byte[] raw = file.readBytes(at, VhdFooter.SIZE);
            if (!Arrays.equals(raw, 0, 8, VhdFooter.COOKIE, 0, 8)) {
                // A dynamic disk keeps a copy of the footer at offset 0; use it if the end is damaged.
                byte[] copy = file.readBytes(0, VhdFooter.SIZE);
                if (Arrays.equals(copy, 0, 8, VhdFooter.COOKIE, 0, 8)) {
                    raw = copy;
                    at = 0;
                }
            }
            VhdFooter footer = VhdFooter.parse(path, at, raw);
            if (at == 0 && footer.diskType() == VhdFooter.TYPE_FIXED) {
                throw new DiskFormatException(path, fileSize - VhdFooter.SIZE, "fixed VHD has no footer at the end"
                        + " of the file; the file is truncated");
            }
            if (footer.diskType() == VhdFooter.TYPE_FIXED) {
                if (footer.currentSize() > fileSize - VhdFooter.SIZE) {
                    throw new DiskFormatException(path, at + VhdFooter.OFF_CURRENT_SIZE, "fixed VHD current size "
                            + footer.currentSize() + " exceeds the " + (fileSize - VhdFooter.SIZE)
                            + " data bytes in the file; the file is truncated");
                }
                return new VhdImage(file, footer, at, null, null);
            }
            boolean differencing = footer.diskType() == VhdFooter.TYPE_DIFFERENCING;
            VhdDynamicHeader header = VhdDynamicHeader.read(file, footer.dataOffset(), differencing);
            long blocks = (footer.currentSize() + header.blockSize() - 1) / header.blockSize();
            if (blocks > header.maxTableEntries()) {
                throw new DiskFormatException(path, footer.dataOffset() + VhdDynamicHeader.OFF_MAX_TABLE_ENTRIES,
                        "VHD max table entries " + header.maxTableEntries() + " cannot map the "
                        + footer.currentSize() + "-byte disk (needs " + blocks + ")");
            }
            int[] bat = readBat(file, header, (int) blocks);
            VhdImage image = new VhdImage(file, footer, at, header, bat);
            if (differencing) {
                image.parent = openParent(image, parents);
            }
            return image;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static int[] readBat(RawFileDevice file, VhdDynamicHeader header, int blocks) throws IOException {
        int[] bat = new int[blocks];
        ByteBuffer buf = ByteBuffer.allocate(blocks * 4);
        file.read(header.tableOffset(), buf);
        buf.flip().asIntBuffer().get(bat);
        int sectorsPerBlock = header.blockSize() / SECTOR;
        long bitmap = ((sectorsPerBlock + 8L * SECTOR - 1) / (8L * SECTOR)) * SECTOR;
        for (int i = 0; i < blocks; i++) {
            if (bat[i] == BAT_UNUSED) {
                continue;
            }
            long start = Integer.toUnsignedLong(bat[i]) * SECTOR;
            if (start + bitmap + header.blockSize() > file.size()) {
                throw new DiskFormatException(file.path(), header.tableOffset() + 4L * i, "VHD BAT entry " + i
                        + " points to a block at " + start + " that lies past the end of the file ("
                        + file.size() + " bytes)");
            }
        }
        return bat;
    }

    private static FormatImage openParent(VhdImage child, BackingOpener parents) throws IOException {
        VhdDynamicHeader h = child.header;
        List<String> names = new ArrayList<>(h.parentLocators());
        if (!h.parentName().isEmpty()) {
            names.add(h.parentName());
        }
        long locatorsAt = child.footer.dataOffset() + VhdDynamicHeader.OFF_PARENT_LOCATORS;
        if (names.isEmpty()) {
            throw new DiskFormatException(child.path(), locatorsAt, "differencing VHD names no parent"
                    + " (no W2ru, W2ku or MacX locator and no parent name)");
        }
        FormatImage parent = parents.open(new BackingReference(names, DiskFormat.VHD, locatorsAt));
        if (parent instanceof VhdImage vp && !Arrays.equals(vp.footer.uniqueId(), h.parentUniqueId())) {
            parent.close();
            throw new DiskFormatException(child.path(), child.footer.dataOffset() + VhdDynamicHeader.OFF_PARENT_UNIQUE_ID,
                    "differencing VHD expects parent unique id " + HexFormat.of().formatHex(h.parentUniqueId())
                    + " but " + vp.path() + " has " + HexFormat.of().formatHex(vp.footer.uniqueId())
                    + "; the parent was replaced or modified");
        }
        return parent;
    }

    @Override
    public DiskFormat format() {
        return DiskFormat.VHD;
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public RawFileDevice file() {
        return file;
    }

    @Override
    public FormatImage backing() {
        return parent;
    }

    @Override
    public long size() {
        return footer.currentSize();
    }

    @Override
    public String describe() {
        return "vhd " + file.path();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        BlockDevice.checkRange(this, offset, dst.remaining());
        if (header == null) {
            file.read(offset, dst);
            return;
        }
        int blockSize = header.blockSize();
        long pos = offset;
        while (dst.hasRemaining()) {
            int block = (int) (pos / blockSize);
            int inBlock = (int) (pos % blockSize);
            int chunk = (int) Math.min(dst.remaining(), blockSize - inBlock);
            if (bat[block] == BAT_UNUSED) {
                readBelow(pos, dst, chunk);
            } else {
                long data = Integer.toUnsignedLong(bat[block]) * SECTOR + bitmapBytes;
                byte[] bitmap = bitmap(block);
                int at = inBlock;
                int end = inBlock + chunk;
                while (at < end) {
                    int sector = at / SECTOR;
                    boolean present = bit(bitmap, sector);
                    int runEnd = Math.min(end, sameBitsUntil(bitmap, sector, present, blockSize / SECTOR) * SECTOR);
                    int n = runEnd - at;
                    if (present) {
                        file.read(data + at, dst.slice(dst.position(), n));
                        dst.position(dst.position() + n);
                    } else {
                        readBelow(pos + (at - inBlock), dst, n);
                    }
                    at = runEnd;
                }
            }
            pos += chunk;
        }
    }

    /** Reads what lies under this image: the parent's bytes, or zeros. */
    private void readBelow(long pos, ByteBuffer dst, int length) throws IOException {
        long fromParent = parent == null ? 0 : Math.max(0, Math.min(length, parent.size() - pos));
        if (fromParent > 0) {
            parent.read(pos, dst.slice(dst.position(), (int) fromParent));
            dst.position(dst.position() + (int) fromParent);
        }
        Zeros.fill(dst, length - fromParent);
    }

    private static boolean bit(byte[] bitmap, int sector) {
        // Sector 0 is the most significant bit of byte 0.
        return (bitmap[sector >>> 3] & (0x80 >>> (sector & 7))) != 0;
    }

    /** First sector at or after {@code from} whose bit differs from {@code value}, or {@code limit}. */
    private static int sameBitsUntil(byte[] bitmap, int from, boolean value, int limit) {
        int s = from;
        byte full = value ? (byte) 0xff : 0;
        while (s < limit) {
            if ((s & 7) == 0 && s + 8 <= limit && bitmap[s >>> 3] == full) {
                s += 8;
            } else if (bit(bitmap, s) == value) {
                s++;
            } else {
                break;
            }
        }
        return s;
    }

    private byte[] bitmap(int block) throws IOException {
        byte[] b = bitmaps.get(block);
        if (b == null) {
            b = file.readBytes(Integer.toUnsignedLong(bat[block]) * SECTOR, bitmapBytes);
            bitmaps.put(block, b);
        }
        return b;
    }

    /** Sectors marked present in allocated blocks, and the parent's extents under everything else. */
    @Override
    public List<Extent> allocatedExtents() throws IOException {
        long size = size();
        if (header == null) {
            return Extents.clip(file.allocatedExtents(), size);
        }
        List<Extent> below = parent == null ? List.of() : parent.allocatedExtents();
        List<Extent> out = new ArrayList<>();
        int belowIndex = 0;
        int blockSize = header.blockSize();
        int sectorsPerBlock = blockSize / SECTOR;
        for (int block = 0; block < bat.length; block++) {
            long start = (long) block * blockSize;
            long end = Math.min(size, start + blockSize);
            if (bat[block] == BAT_UNUSED) {
                belowIndex = Extents.appendClipped(out, below, belowIndex, start, end);
                continue;
            }
            byte[] bitmap = bitmap(block);
            int sector = 0;
            while (sector < sectorsPerBlock && start + (long) sector * SECTOR < end) {
                boolean present = bit(bitmap, sector);
                int until = sameBitsUntil(bitmap, sector, present, sectorsPerBlock);
                long s = start + (long) sector * SECTOR;
                long t = Math.min(end, start + (long) until * SECTOR);
                if (present) {
                    Extents.append(out, s, t - s);
                } else {
                    belowIndex = Extents.appendClipped(out, below, belowIndex, s, t);
                }
                sector = until;
            }
        }
        return out;
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("vhd type", footer.typeName());
        d.put("creator", footer.creatorApp().trim());
        if (header != null) {
            d.put("block size", Integer.toString(header.blockSize()));
        }
        if (footerOffset == 0 && header != null) {
            d.put("note", "footer at the end of the file is damaged; used the copy at offset 0");
        }
        if (parent != null) {
            d.put("parent", parent.path().toString());
        }
        return d;
    }

    @Override
    public void close() throws IOException {
        try {
            file.close();
        } finally {
            if (parent != null) {
                parent.close();
            }
        }
    }
}
