package org.xen2kvm.pkg;

/**
 * Offsets, magics and tag numbers of the RPM v3 package file (rpm.org "RPM Package format",
 * LSB Core "Package File Format"; tag numbers from rpm's rpmtag.h). Integers are big-endian.
 */
final class RpmFormat {
    private RpmFormat() {
    }

    // ---- lead: 96 bytes, obsolete apart from its magic and signature type
    static final int LEAD_SIZE = 96;
    static final byte[] LEAD_MAGIC = {(byte) 0xed, (byte) 0xab, (byte) 0xee, (byte) 0xdb};
    /** short signature_type at offset 78; 5 = RPMSIGTYPE_HEADERSIG, the only one rpm 4 writes. */
    static final int LEAD_SIGNATURE_TYPE = 78;
    static final int SIGTYPE_HEADERSIG = 5;

    // ---- header structure: 16-byte intro, nindex 16-byte entries, hsize bytes of store
    /** Magic 8e ad e8 and version 01. */
    static final byte[] HEADER_MAGIC = {(byte) 0x8e, (byte) 0xad, (byte) 0xe8, 0x01};
    static final int HEADER_INTRO = 16;
    static final int HEADER_NINDEX = 8;
    static final int HEADER_HSIZE = 12;
    static final int ENTRY_SIZE = 16;
    /** rpm's own limits (header_internal.h): 0xffff entries, 256 MiB of data. */
    static final int MAX_INDEX_ENTRIES = 0xffff;
    static final int MAX_STORE = 256 << 20;
    /** The signature header is padded so that the main header starts at a multiple of 8. */
    static final int SIGNATURE_ALIGN = 8;

    // ---- entry types
    static final int TYPE_NULL = 0;
    static final int TYPE_CHAR = 1;
    static final int TYPE_INT8 = 2;
    static final int TYPE_INT16 = 3;
    static final int TYPE_INT32 = 4;
    static final int TYPE_INT64 = 5;
    static final int TYPE_STRING = 6;
    static final int TYPE_BIN = 7;
    static final int TYPE_STRING_ARRAY = 8;
    static final int TYPE_I18NSTRING = 9;

    // ---- header tags
    static final int TAG_NAME = 1000;
    static final int TAG_VERSION = 1001;
    static final int TAG_RELEASE = 1002;
    static final int TAG_EPOCH = 1003;
    static final int TAG_ARCH = 1022;
    static final int TAG_PREIN = 1023;
    static final int TAG_POSTIN = 1024;
    static final int TAG_PREUN = 1025;
    static final int TAG_POSTUN = 1026;
    /** Full paths, before rpm 4.0 compressed them into DIRNAMES/BASENAMES. */
    static final int TAG_OLDFILENAMES = 1027;
    static final int TAG_FILESIZES = 1028;
    static final int TAG_FILEMODES = 1030;
    static final int TAG_FILEMTIMES = 1034;
    static final int TAG_FILELINKTOS = 1036;
    static final int TAG_FILEFLAGS = 1037;
    static final int TAG_FILEUSERNAME = 1039;
    static final int TAG_FILEGROUPNAME = 1040;
    static final int TAG_PROVIDENAME = 1047;
    static final int TAG_REQUIREFLAGS = 1048;
    static final int TAG_REQUIRENAME = 1049;
    static final int TAG_REQUIREVERSION = 1050;
    static final int TAG_DIRINDEXES = 1116;
    static final int TAG_BASENAMES = 1117;
    static final int TAG_DIRNAMES = 1118;
    static final int TAG_PAYLOADFORMAT = 1124;
    static final int TAG_PAYLOADCOMPRESSOR = 1125;
    static final int TAG_PRETRANS = 1151;
    static final int TAG_POSTTRANS = 1152;
    /** 64-bit sizes, written instead of FILESIZES when a file is 4 GiB or more. */
    static final int TAG_LONGFILESIZES = 5008;

    // ---- flags
    /** RPMSENSE_LESS/GREATER/EQUAL: the comparison of a versioned requirement. */
    static final int SENSE_LESS = 1 << 1;
    static final int SENSE_GREATER = 1 << 2;
    static final int SENSE_EQUAL = 1 << 3;
    /** RPMSENSE_RPMLIB: an rpmlib(feature) requirement on rpm itself, not on a package. */
    static final int SENSE_RPMLIB = 1 << 24;
    /** RPMFILE_GHOST: listed in the header, not carried in the payload. */
    static final int FILE_GHOST = 1 << 6;

    // ---- cpio "new ASCII" (newc) payload, as rpm writes it
    static final String CPIO_NEWC = "070701";
    static final String CPIO_NEWC_CRC = "070702";
    /** rpm 4.12+ writes this stripped format when a file is 4 GiB or more. */
    static final String CPIO_STRIPPED = "07070X";
    static final int CPIO_HEADER = 110;
    static final String CPIO_TRAILER = "TRAILER!!!";

    /** Unix file type bits of a mode (S_IFMT) and the types a kernel package may carry. */
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;

    /** A name for messages: {@code 1030 (FILEMODES)}. */
    static String tagName(int tag) {
        String n = switch (tag) {
            case TAG_NAME -> "NAME";
            case TAG_VERSION -> "VERSION";
            case TAG_RELEASE -> "RELEASE";
            case TAG_EPOCH -> "EPOCH";
            case TAG_ARCH -> "ARCH";
            case TAG_OLDFILENAMES -> "OLDFILENAMES";
            case TAG_FILESIZES -> "FILESIZES";
            case TAG_FILEMODES -> "FILEMODES";
            case TAG_FILEMTIMES -> "FILEMTIMES";
            case TAG_FILELINKTOS -> "FILELINKTOS";
            case TAG_FILEFLAGS -> "FILEFLAGS";
            case TAG_FILEUSERNAME -> "FILEUSERNAME";
            case TAG_FILEGROUPNAME -> "FILEGROUPNAME";
            case TAG_PROVIDENAME -> "PROVIDENAME";
            case TAG_REQUIREFLAGS -> "REQUIREFLAGS";
            case TAG_REQUIRENAME -> "REQUIRENAME";
            case TAG_REQUIREVERSION -> "REQUIREVERSION";
            case TAG_DIRINDEXES -> "DIRINDEXES";
            case TAG_BASENAMES -> "BASENAMES";
            case TAG_DIRNAMES -> "DIRNAMES";
            case TAG_PAYLOADFORMAT -> "PAYLOADFORMAT";
            case TAG_PAYLOADCOMPRESSOR -> "PAYLOADCOMPRESSOR";
            case TAG_LONGFILESIZES -> "LONGFILESIZES";
            default -> "";
        };
        return n.isEmpty() ? "tag " + tag : "tag " + tag + " (" + n + ")";
    }
}
