package org.xen2kvm.lvm;

import static org.xen2kvm.lvm.LvmConstants.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.xen2kvm.image.BlockDevice;

/** Finds and decodes the LVM2 PV label in the first four sectors of a device. */
public final class PvLabelReader {
    private PvLabelReader() {
    }

    /**
     * The PV label of {@code device}, or empty when none of sectors 0-3 starts with LABELONE.
     *
     * @throws LvmFormatException when a LABELONE sector has a bad checksum, sector number, type or
     *                            PV header (named by device and offset)
     */
    public static Optional<PvLabel> read(BlockDevice device) throws IOException {
        for (int s = 0; s < LABEL_SCAN_SECTORS; s++) {
            long at = (long) s * SECTOR_SIZE;
            if (at + LABEL_SIZE > device.size()) {
                break;
            }
            byte[] sector = device.readBytes(at, LABEL_SIZE);
            if (!Arrays.equals(sector, LH_ID, LH_ID + LABEL_ID.length, LABEL_ID, 0, LABEL_ID.length)) {
                continue;
            }
            return Optional.of(decode(device, s, sector));
        }
        return Optional.empty();
    }

    private static PvLabel decode(BlockDevice device, int s, byte[] sector) throws LvmFormatException {
        String dev = device.describe();
        long at = (long) s * SECTOR_SIZE;
        ByteBuffer b = ByteBuffer.wrap(sector).order(ByteOrder.LITTLE_ENDIAN);
        long sectorXl = b.getLong(LH_SECTOR);
        if (sectorXl != s) {
            throw new LvmFormatException(dev, at + LH_SECTOR, "label_header.sector_xl is " + sectorXl
                    + " but the label is in sector " + s);
        }
        int stored = b.getInt(LH_CRC);
        int computed = LvmCrc.of(sector, LH_OFFSET, LABEL_SIZE - LH_OFFSET);
        if (stored != computed) {
            throw new LvmFormatException(dev, at + LH_CRC, String.format(
                    "label_header.crc_xl is 0x%08x but the label computes to 0x%08x: the PV label is corrupt",
                    stored, computed));
        }
        if (!Arrays.equals(sector, LH_TYPE, LH_TYPE + LABEL_TYPE.length, LABEL_TYPE, 0, LABEL_TYPE.length)) {
            throw new LvmFormatException(dev, at + LH_TYPE, "label_header.type is '"
                    + new String(sector, LH_TYPE, 8, StandardCharsets.US_ASCII) + "', only 'LVM2 001' is read");
        }
        long pvh = Integer.toUnsignedLong(b.getInt(LH_OFFSET));
        if (pvh < LABEL_HEADER_SIZE || pvh + PVH_DISK_AREAS + DISK_LOCN_SIZE * 2L > LABEL_SIZE) {
            throw new LvmFormatException(dev, at + LH_OFFSET, "label_header.offset_xl " + pvh
                    + " puts the PV header outside the label sector");
        }
        int p = (int) pvh;
        String uuid = new String(sector, p + PVH_UUID, ID_LEN, StandardCharsets.US_ASCII);
        if (!uuid.matches("[A-Za-z0-9!#]{32}")) {
            throw new LvmFormatException(dev, at + p + PVH_UUID, "pv_header.pv_uuid '" + uuid.replaceAll("\\P{Print}", "?")
                    + "' is not 32 UUID characters");
        }
        long devSize = b.getLong(p + PVH_DEVICE_SIZE);
        if (devSize < 0) {
            throw new LvmFormatException(dev, at + p + PVH_DEVICE_SIZE, "pv_header.device_size_xl " + Long.toUnsignedString(devSize)
                    + " is beyond 2^63");
        }
        int[] pos = {p + PVH_DISK_AREAS};
        List<DiskArea> data = areas(dev, at, b, pos, "data area");
        List<DiskArea> meta = areas(dev, at, b, pos, "metadata area");
        return new PvLabel(device, s, uuid, devSize, data, meta);
    }

    private static List<DiskArea> areas(String dev, long at, ByteBuffer b, int[] pos, String what)
            throws LvmFormatException {
        List<DiskArea> out = new ArrayList<>();
        while (true) {
            if (pos[0] + DISK_LOCN_SIZE > LABEL_SIZE) {
                throw new LvmFormatException(dev, at + pos[0], "the " + what + " list of the PV header has no end in the label sector");
            }
            long off = b.getLong(pos[0]);
            long size = b.getLong(pos[0] + 8);
            pos[0] += DISK_LOCN_SIZE;
            if (off == 0) {
                return out;
            }
            if (off < 0 || size < 0 || off % SECTOR_SIZE != 0) {
                throw new LvmFormatException(dev, at + pos[0] - DISK_LOCN_SIZE, "pv_header " + what + " offset "
                        + Long.toUnsignedString(off) + " size " + Long.toUnsignedString(size) + " is not a valid area");
            }
            out.add(new DiskArea(off, size));
        }
    }
}
