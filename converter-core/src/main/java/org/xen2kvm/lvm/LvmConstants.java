package org.xen2kvm.lvm;

import java.nio.charset.StandardCharsets;

/**
 * On-disk constants of LVM2 (label format {@code lib/label/label.h}, text format layout
 * {@code lib/format_text/layout.h} of the LVM2 sources). All multi-byte integers are
 * little-endian.
 */
final class LvmConstants {
    private LvmConstants() {
    }

    /** LVM2 sector unit: sizes in the label, the metadata and the text are in 512-byte sectors. */
    static final int SECTOR_SIZE = 512;
    /** label.h LABEL_SCAN_SECTORS: the label is in one of the first four sectors. */
    static final int LABEL_SCAN_SECTORS = 4;
    /** label.h LABEL_SIZE: the label (header and PV header) fills one sector. */
    static final int LABEL_SIZE = SECTOR_SIZE;

    /** label_header.id: "LABELONE". */
    static final byte[] LABEL_ID = "LABELONE".getBytes(StandardCharsets.US_ASCII);
    /** label_header.type for the text format: "LVM2 001". */
    static final byte[] LABEL_TYPE = "LVM2 001".getBytes(StandardCharsets.US_ASCII);
    /** label_header: id[8]. */
    static final int LH_ID = 0;
    /** label_header: sector_xl, u64, the sector the label is in. */
    static final int LH_SECTOR = 8;
    /** label_header: crc_xl, u32, crc from offset_xl to the end of the sector. */
    static final int LH_CRC = 16;
    /** label_header: offset_xl, u32, offset of the PV header from the start of the label. */
    static final int LH_OFFSET = 20;
    /** label_header: type[8]. */
    static final int LH_TYPE = 24;
    /** sizeof(struct label_header). */
    static final int LABEL_HEADER_SIZE = 32;

    /** pv_header: pv_uuid[ID_LEN], 32 characters without hyphens. */
    static final int PVH_UUID = 0;
    /** layout.h ID_LEN. */
    static final int ID_LEN = 32;
    /** pv_header: device_size_xl, u64, bytes. */
    static final int PVH_DEVICE_SIZE = 32;
    /** pv_header: disk_areas_xl[], data areas then metadata areas, each list ended by offset 0. */
    static final int PVH_DISK_AREAS = 40;
    /** sizeof(struct disk_locn): offset u64 then size u64, bytes. */
    static final int DISK_LOCN_SIZE = 16;

    /** layout.h MDA_HEADER_SIZE: the mda_header occupies the first 512 bytes of a metadata area. */
    static final int MDA_HEADER_SIZE = 512;
    /** mda_header: checksum_xl, u32, crc of the rest of the header. */
    static final int MDA_CHECKSUM = 0;
    /** mda_header: magic[16]. */
    static final int MDA_MAGIC = 4;
    /** layout.h FMTT_MAGIC. */
    static final byte[] FMTT_MAGIC = " LVM2 x[5A%r0N*>".getBytes(StandardCharsets.US_ASCII);
    /** mda_header: version, u32. */
    static final int MDA_VERSION = 20;
    /** layout.h FMTT_VERSION. */
    static final int FMTT_VERSION = 1;
    /** mda_header: start, u64, absolute offset of the area on the device. */
    static final int MDA_START = 24;
    /** mda_header: size, u64, size of the area including this header. */
    static final int MDA_SIZE = 32;
    /** mda_header: raw_locns[], the first is the committed metadata. */
    static final int MDA_RAW_LOCNS = 40;
    /** sizeof(struct raw_locn): offset u64 (from the area start), size u64, checksum u32, flags u32. */
    static final int RAW_LOCN_SIZE = 24;
    /** layout.h RAW_LOCN_IGNORED: the area is ignored (metadataignore). */
    static final int RAW_LOCN_IGNORED = 0x00000001;

    /** crc.h INITIAL_CRC: the seed of every LVM2 checksum. */
    static final int INITIAL_CRC = 0xf597a6cf;

    /** Limit: the largest metadata text read (lvm2's own limit is the area size, a few MiB at most). */
    static final int MAX_METADATA_BYTES = 16 * 1024 * 1024;
    /** Limit: nesting of sections in the text (the format uses four levels). */
    static final int MAX_DEPTH = 16;
    /** Limit: characters of one string value. */
    static final int MAX_STRING = 64 * 1024;
    /** Limit: items of one list. */
    static final int MAX_LIST_ITEMS = 65536;
    /** Limit: characters of one key or section name (LVM names are at most 127 characters). */
    static final int MAX_NAME = 255;
}
