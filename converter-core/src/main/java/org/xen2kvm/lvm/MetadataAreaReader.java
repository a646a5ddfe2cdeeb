package org.xen2kvm.lvm;

import static org.xen2kvm.lvm.LvmConstants.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.xen2kvm.image.BlockDevice;

/**
 * Reads the mda_header of a metadata area and the committed metadata text it points to
 * (raw_locn 0), following the circular buffer across its end.
 */
public final class MetadataAreaReader {
    private MetadataAreaReader() {
    }

    /**
     * The committed metadata of {@code area} on the PV, or empty when the area holds none (an
     * orphan PV) or is marked ignored.
     *
     * @throws LvmFormatException naming the device and offset of a bad header, location or checksum
     */
    public static Optional<MetadataText> read(PvLabel pv, DiskArea area) throws IOException {
        BlockDevice device = pv.device();
        String dev = device.describe();
        long start = area.offset();
        if (area.size() < MDA_HEADER_SIZE + SECTOR_SIZE || start > device.size() - area.size()) {
            throw new LvmFormatException(dev, start, "metadata area of " + area.size()
                    + " bytes does not fit the device of " + device.size() + " bytes");
        }
        byte[] h = device.readBytes(start, MDA_HEADER_SIZE);
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        if (!Arrays.equals(h, MDA_MAGIC, MDA_MAGIC + FMTT_MAGIC.length, FMTT_MAGIC, 0, FMTT_MAGIC.length)) {
            throw new LvmFormatException(dev, start + MDA_MAGIC, "mda_header.magic is not the LVM2 text format magic");
        }
        int stored = b.getInt(MDA_CHECKSUM);
        int computed = LvmCrc.of(h, MDA_MAGIC, MDA_HEADER_SIZE - MDA_MAGIC);
        if (stored != computed) {
            throw new LvmFormatException(dev, start + MDA_CHECKSUM, String.format(
                    "mda_header.checksum_xl is 0x%08x but the header computes to 0x%08x: the metadata area header is corrupt",
                    stored, computed));
        }
        int version = b.getInt(MDA_VERSION);
        if (version != FMTT_VERSION) {
            throw new LvmFormatException(dev, start + MDA_VERSION, "mda_header.version is " + version + ", only 1 is read");
        }
        long hStart = b.getLong(MDA_START);
        long hSize = b.getLong(MDA_SIZE);
        if (hStart != start || hSize != area.size()) {
            throw new LvmFormatException(dev, start + MDA_START, "mda_header start/size " + hStart + "/" + hSize
                    + " disagree with the PV header's " + start + "/" + area.size());
        }
        long locOffset = b.getLong(MDA_RAW_LOCNS);
        long locSize = b.getLong(MDA_RAW_LOCNS + 8);
        int locCrc = b.getInt(MDA_RAW_LOCNS + 16);
        int locFlags = b.getInt(MDA_RAW_LOCNS + 20);
        long locAt = start + MDA_RAW_LOCNS;
        if ((locFlags & RAW_LOCN_IGNORED) != 0 || locOffset == 0) {
            return Optional.empty();
        }
        if (locOffset < MDA_HEADER_SIZE || locOffset >= hSize) {
            throw new LvmFormatException(dev, locAt, "raw_locn.offset " + Long.toUnsignedString(locOffset)
                    + " is outside the metadata area of " + hSize + " bytes");
        }
        if (locSize <= 0 || locSize > hSize - MDA_HEADER_SIZE || locSize > MAX_METADATA_BYTES) {
            throw new LvmFormatException(dev, locAt + 8, "raw_locn.size " + Long.toUnsignedString(locSize)
                    + " does not fit the metadata area of " + hSize + " bytes (limit " + MAX_METADATA_BYTES + ")");
        }
        int size = (int) locSize;
        byte[] text = new byte[size];
        // The buffer is circular: text that runs past the end continues after the header.
        int first = (int) Math.min(locSize, hSize - locOffset);
        device.read(start + locOffset, ByteBuffer.wrap(text, 0, first));
        if (first < size) {
            device.read(start + MDA_HEADER_SIZE, ByteBuffer.wrap(text, first, size - first));
        }
        int textCrc = LvmCrc.of(text, 0, size);
        if (textCrc != locCrc) {
            throw new LvmFormatException(dev, start + locOffset, String.format(
                    "metadata text checksum (raw_locn.checksum at offset %d) is 0x%08x but the %d bytes of text compute to 0x%08x: the metadata is corrupt; lvm2's vgcfgrestore can restore a backup",
                    locAt + 16, locCrc, size, textCrc));
        }
        int len = size;
        while (len > 0 && text[len - 1] == 0) {
            len--;
        }
        return Optional.of(new MetadataText(pv, start, start + locOffset, new String(text, 0, len, StandardCharsets.UTF_8)));
    }
}
