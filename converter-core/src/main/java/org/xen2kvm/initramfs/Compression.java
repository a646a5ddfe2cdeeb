package org.xen2kvm.initramfs;

/**
 * How one segment of an initramfs is stored, told apart by its magic number as the kernel's
 * decompress_method() does (lib/decompress.c).
 */
public enum Compression {
    /** Plain cpio: "070701"/"070702". */
    NONE("none"),
    /** RFC 1952: 1f 8b (1f 9e is gzip's old "packed" magic, also accepted by the kernel). */
    GZIP("gzip"),
    /** .xz container: fd 37 7a 58 5a 00; the kernel reads only CRC32 or no check. */
    XZ("xz"),
    /** Legacy .lzma ("LZMA alone"): properties byte 5d, dictionary size, 64-bit size. */
    LZMA("lzma"),
    /** bzip2: "BZh". */
    BZIP2("bzip2"),
    /** LZ4 legacy frame (lz4 -l): magic 02 21 4c 18, then blocks with a 4-byte little-endian length. */
    LZ4_LEGACY("lz4"),
    /** Zstandard frames: magic 28 b5 2f fd. */
    ZSTD("zstd"),
    /** LZO (lzop): 89 4c 5a 4f; recognised only to refuse it by name. */
    LZO("lzo");

    private final String label;

    Compression(String label) {
        this.label = label;
    }

    /** The name the guest's tools use (COMPRESS= in initramfs.conf, dracut --compress). */
    public String label() {
        return label;
    }

    /** The compression whose magic starts at {@code pos}, or null when none does. */
    static Compression detect(byte[] b, int pos) {
        if (CpioNewc.isMagicAt(b, pos, b.length)) {
            return NONE;
        }
        int n = b.length - pos;
        int b0 = n > 0 ? b[pos] & 0xff : -1;
        int b1 = n > 1 ? b[pos + 1] & 0xff : -1;
        int b2 = n > 2 ? b[pos + 2] & 0xff : -1;
        int b3 = n > 3 ? b[pos + 3] & 0xff : -1;
        int b4 = n > 4 ? b[pos + 4] & 0xff : -1;
        if (b0 == 0x1f && (b1 == 0x8b || b1 == 0x9e)) {
            return GZIP;
        }
        if (b0 == 0xfd && b1 == '7' && b2 == 'z' && b3 == 'X' && b4 == 'Z') {
            return XZ;
        }
        if (b0 == 0x5d && b1 == 0x00 && b2 == 0x00) {
            return LZMA;
        }
        if (b0 == 'B' && b1 == 'Z' && b2 == 'h') {
            return BZIP2;
        }
        if (b0 == 0x02 && b1 == 0x21 && b2 == 0x4c && b3 == 0x18) {
            return LZ4_LEGACY;
        }
        if (b0 == 0x28 && b1 == 0xb5 && b2 == 0x2f && b3 == 0xfd) {
            return ZSTD;
        }
        if (b0 == 0x89 && b1 == 'L' && b2 == 'Z' && b3 == 'O') {
            return LZO;
        }
        return null;
    }
}
