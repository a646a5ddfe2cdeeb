package org.xen2kvm.initramfs;

import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.LZMAOutputStream;
import org.tukaani.xz.SingleXZInputStream;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/**
 * Decompresses one segment, finding where its compressed stream ends so that the next segment
 * can be found, and compresses a segment in a form the kernel's own decompressors accept
 * (lib/decompress_*.c).
 */
final class SegmentCodec {
    /** gzip header (RFC 1952 2.3): ID1 ID2 CM FLG MTIME(4) XFL OS. */
    static final int GZIP_HEADER = 10;
    static final int GZIP_TRAILER = 8;
    static final int GZIP_FHCRC = 0x02;
    static final int GZIP_FEXTRA = 0x04;
    static final int GZIP_FNAME = 0x08;
    static final int GZIP_FCOMMENT = 0x10;
    /** LZ4 legacy frame magic, little-endian 0x184C2102 (lz4 Frame format, "Legacy frame"). */
    static final int LZ4_LEGACY_MAGIC = 0x184C2102;
    /** Each legacy block holds 8 MiB of uncompressed data, the last one less. */
    static final int LZ4_LEGACY_BLOCK = 8 << 20;
    /** zstd frame magic (RFC 8878 3.1.1), little-endian. */
    static final int ZSTD_MAGIC = 0xFD2FB528;
    /** Memory an xz or lzma dictionary may take while reading (KiB); xz -9 needs 65 MiB. */
    static final int XZ_MEMORY_LIMIT_KIB = 128 << 10;
    /**
     * xz preset for writing: the kernel's decoder takes any dictionary, and the fast presets keep
     * a 100 MB initramfs to seconds in pure Java.
     */
    static final int XZ_PRESET = 3;
    /**
     * Deflate level for writing gzip: level 1 deflates the ~100 MB of modules of a MODULES=most
     * image in about 1.2 s with the JDK, level 6 (gzip's default) in 4 s, for a file 12% smaller
     * (measured on Debian 12's cloud kernel tree, 92 MB: 26.2 MB at level 1, 23.3 MB at level 6).
     */
    static final int GZIP_LEVEL = Deflater.BEST_SPEED;

    private SegmentCodec() {
    }

    /** Decompressed contents and the number of compressed bytes they came from. */
    record Decoded(byte[] data, int consumed) {
    }

    static Decoded decode(String where, Compression c, byte[] b, int pos, long maxOut) throws InitramfsFormatException {
        try {
            return switch (c) {
                case GZIP -> gzip(where, b, pos, maxOut);
                case XZ -> xz(where, b, pos, maxOut);
                case ZSTD -> zstd(where, b, pos, maxOut);
                case LZ4_LEGACY -> lz4(where, b, pos, maxOut);
                case LZMA -> whole(where, new LZMAInputStream(new ByteArrayInputStream(b, pos, b.length - pos),
                        XZ_MEMORY_LIMIT_KIB), b, pos, maxOut);
                case BZIP2 -> whole(where, new BZip2CompressorInputStream(new ByteArrayInputStream(b, pos, b.length - pos)),
                        b, pos, maxOut);
                case NONE, LZO -> throw new UnsupportedInitramfsException(where + ": " + c.label()
                        + " segments cannot be decompressed here; rebuild the initramfs with gzip, xz, zstd or lz4");
            };
        } catch (InitramfsFormatException e) {
            throw e;
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof InitramfsFormatException f) {
                throw f;
            }
            throw new InitramfsFormatException(where + ": " + c.label() + " data is corrupt: " + oneLine(e));
        } catch (IOException | RuntimeException e) {
            throw new InitramfsFormatException(where + ": " + c.label() + " data is corrupt: " + oneLine(e));
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replace('\n', ' ');
    }

    private static Decoded gzip(String where, byte[] b, int pos, long maxOut) throws IOException {
        int p = pos;
        if (b.length - p < GZIP_HEADER) {
            throw new InitramfsFormatException(where + ": gzip header cut short");
        }
        if ((b[p + 2] & 0xff) != 8) {
            throw new InitramfsFormatException(where + ": gzip compression method " + (b[p + 2] & 0xff) + ", expected 8 (deflate)");
        }
        int flags = b[p + 3] & 0xff;
        p += GZIP_HEADER;
        if ((flags & GZIP_FEXTRA) != 0) {
            need(where, b, p, 2);
            p += 2 + ((b[p] & 0xff) | (b[p + 1] & 0xff) << 8);
        }
        if ((flags & GZIP_FNAME) != 0) {
            p = skipZeroTerminated(where, b, p);
        }
        if ((flags & GZIP_FCOMMENT) != 0) {
            p = skipZeroTerminated(where, b, p);
        }
        if ((flags & GZIP_FHCRC) != 0) {
            p += 2;
        }
        need(where, b, p, 0);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(b, p, b.length - p);
            Sink out = new Sink(where, maxOut, gzipSizeHint(b, p));
            byte[] buf = new byte[1 << 16];
            CRC32 crc = new CRC32();
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new InitramfsFormatException(where + ": gzip data ends before its last block; the image is truncated");
                }
                crc.update(buf, 0, n);
                out.write(buf, 0, n);
            }
            int end = b.length - inflater.getRemaining();
            need(where, b, end, GZIP_TRAILER);
            long storedCrc = le32(b, end) & 0xffffffffL;
            long storedSize = le32(b, end + 4) & 0xffffffffL;
            if (storedCrc != crc.getValue() || storedSize != (out.size() & 0xffffffffL)) {
                throw new InitramfsFormatException(where + ": gzip trailer (crc " + Long.toHexString(storedCrc) + ", size "
                        + storedSize + ") does not match the data (crc " + Long.toHexString(crc.getValue()) + ", size "
                        + out.size() + ")");
            }
            return new Decoded(out.bytes(), end + GZIP_TRAILER - pos);
        } catch (DataFormatException e) {
            throw new InitramfsFormatException(where + ": gzip data is corrupt: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    /**
     * The uncompressed size a gzip segment starting at {@code p} likely has: the trailer's ISIZE
     * when the segment ends the image (Debian's and Ubuntu's layout), if plausible for
     * compressed data of that length, else four times the compressed bytes (initramfs archives
     * deflate to a fifth to a third). Only sizes a buffer; the trailer is checked after inflating.
     */
    static long gzipSizeHint(byte[] b, int p) {
        long compressed = b.length - p;
        long isize = b.length >= 4 ? le32(b, b.length - 4) & 0xffffffffL : 0;
        return isize >= compressed && isize <= 16 * compressed ? isize : 4 * compressed;
    }

    private static int skipZeroTerminated(String where, byte[] b, int p) throws InitramfsFormatException {
        int i = p;
        while (i < b.length && b[i] != 0) {
            i++;
        }
        need(where, b, i, 1);
        return i + 1;
    }

    private static void need(String where, byte[] b, int p, int n) throws InitramfsFormatException {
        if (p < 0 || p > b.length || b.length - p < n) {
            throw new InitramfsFormatException(where + ": compressed data cut short; the image is truncated");
        }
    }

    private static Decoded xz(String where, byte[] b, int pos, long maxOut) throws IOException {
        Position in = new Position(b, pos);
        try (SingleXZInputStream xz = new SingleXZInputStream(in, XZ_MEMORY_LIMIT_KIB)) {
            byte[] data = drain(where, xz, maxOut);
            return new Decoded(data, in.position() - pos);
        }
    }

    /** A stream whose position is known, so the end of a self-delimiting stream can be found. */
    private static final class Position extends ByteArrayInputStream {
        Position(byte[] b, int offset) {
            super(b, offset, b.length - offset);
        }

        int position() {
            return pos;
        }
    }

    private static Decoded whole(String where, InputStream in, byte[] b, int pos, long maxOut) throws IOException {
        try (in) {
            // Neither the legacy lzma nor the bzip2 reader says where its stream ends: the segment
            // is taken to be the last one, as initramfs tools write it.
            return new Decoded(drain(where, in, maxOut), b.length - pos);
        }
    }

    private static byte[] drain(String where, InputStream in, long maxOut) throws IOException {
        Sink out = new Sink(where, maxOut);
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Zstandard: one or more frames back to back (RFC 8878 3.1.1), each measured, then decoded. */
    private static Decoded zstd(String where, byte[] b, int pos, long maxOut) throws IOException {
        int end = pos;
        Sink out = new Sink(where, maxOut);
        while (b.length - end >= 4 && le32(b, end) == ZSTD_MAGIC) {
            int frameEnd = zstdFrameEnd(where, b, end);
            try (InputStream z = new ZstdInputStream(new ByteArrayInputStream(b, end, frameEnd - end))) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = z.read(buf)) > 0) {
                    out.write(buf, 0, n);
                }
            }
            end = frameEnd;
        }
        return new Decoded(out.toByteArray(), end - pos);
    }

    /** The offset after the zstd frame at {@code pos}: header, blocks (3-byte headers), optional checksum. */
    static int zstdFrameEnd(String where, byte[] b, int pos) throws InitramfsFormatException {
        int p = pos + 4;
        need(where, b, p, 1);
        int fhd = b[p] & 0xff;
        int fcsFlag = fhd >>> 6;
        boolean singleSegment = (fhd & 0x20) != 0;
        boolean checksum = (fhd & 0x04) != 0;
        int dictFlag = fhd & 0x03;
        if ((fhd & 0x08) != 0) {
            throw new InitramfsFormatException(where + ": zstd frame header at offset " + p + " sets the reserved bit");
        }
        int header = 1 + (singleSegment ? 0 : 1) + new int[] {0, 1, 2, 4}[dictFlag]
                + new int[] {singleSegment ? 1 : 0, 2, 4, 8}[fcsFlag];
        p += header;
        while (true) {
            need(where, b, p, 3);
            int bh = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16;
            boolean last = (bh & 1) != 0;
            int type = (bh >>> 1) & 3;
            int size = bh >>> 3;
            if (type == 3) {
                throw new InitramfsFormatException(where + ": zstd block at offset " + p + " has the reserved type 3");
            }
            int content = type == 1 ? 1 : size;
            need(where, b, p + 3, content);
            p += 3 + content;
            if (last) {
                break;
            }
        }
        if (checksum) {
            need(where, b, p, 4);
            p += 4;
        }
        return p;
    }

    /** LZ4 legacy frame: blocks until the data ends, a zero length (padding) or another legacy magic. */
    private static Decoded lz4(String where, byte[] b, int pos, long maxOut) throws IOException {
        int p = pos + 4;
        Sink out = new Sink(where, maxOut);
        Lz4Decompressor lz4 = new Lz4Decompressor();
        byte[] block = new byte[LZ4_LEGACY_BLOCK];
        int maxCompressed = new Lz4Compressor().maxCompressedLength(LZ4_LEGACY_BLOCK);
        while (b.length - p >= 4) {
            int size = le32(b, p);
            if (size == LZ4_LEGACY_MAGIC) {
                p += 4;
                continue;
            }
            if (size == 0) {
                break;
            }
            if (size < 0 || size > maxCompressed) {
                throw new InitramfsFormatException(where + ": lz4 block at offset " + p + " claims " + (size & 0xffffffffL)
                        + " bytes, more than an 8 MiB block can take (" + maxCompressed + ")");
            }
            need(where, b, p + 4, size);
            int n = lz4.decompress(b, p + 4, size, block, 0, block.length);
            out.write(block, 0, n);
            p += 4 + size;
        }
        return new Decoded(out.toByteArray(), p - pos);
    }

    static int le32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    /** Collects decompressed bytes and refuses more than the image may hold. */
    private static final class Sink extends ByteArrayOutputStream {
        private final String where;
        private final long max;

        Sink(String where, long max) {
            this(where, max, 1 << 16);
        }

        /**
         * @param expected the size the data likely has (a hint, bounded here: at most {@code max}
         *                 and 16 times the compressed bytes), so a 125 MB archive is not grown
         *                 by doubling from 64 KiB, copying ~250 MB on the way
         */
        Sink(String where, long max, long expected) {
            super((int) Math.max(1 << 16, Math.min(expected, max)));
            this.where = where;
            this.max = max;
        }

        /** The data, without a copy when the hint was exact. */
        byte[] bytes() {
            return count == buf.length ? buf : java.util.Arrays.copyOf(buf, count);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (count + (long) len > max) {
                throw new UncheckedIOException(new InitramfsFormatException(where + ": decompresses to more than " + max
                        + " bytes, beyond the limit for one initramfs; refusing the image"));
            }
            super.write(b, off, len);
        }
    }

    /** Compresses a segment's cpio data. */
    static byte[] encode(Compression c, byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 3));
            switch (c) {
                case NONE -> out.writeBytes(data);
                case GZIP -> {
                    try (OutputStream gz = new GZIPOutputStream(out, 1 << 16) {
                        {
                            def.setLevel(GZIP_LEVEL);
                        }
                    }) {
                        gz.write(data);
                    }
                }
                case XZ -> {
                    // The kernel's xz decoder checks CRC32 or nothing; xz's default CRC64 is refused at boot.
                    try (XZOutputStream xz = new XZOutputStream(out, new LZMA2Options(XZ_PRESET), XZ.CHECK_CRC32)) {
                        xz.write(data);
                    }
                }
                case LZMA -> {
                    try (LZMAOutputStream lzma = new LZMAOutputStream(out, new LZMA2Options(XZ_PRESET), data.length)) {
                        lzma.write(data);
                    }
                }
                case BZIP2 -> {
                    try (BZip2CompressorOutputStream bz = new BZip2CompressorOutputStream(out)) {
                        bz.write(data);
                    }
                }
                case LZ4_LEGACY -> lz4Legacy(data, out);
                case ZSTD -> {
                    ZstdCompressor z = new ZstdCompressor();
                    byte[] buf = new byte[z.maxCompressedLength(data.length)];
                    int n = z.compress(data, 0, data.length, buf, 0, buf.length);
                    out.write(buf, 0, n);
                }
                case LZO -> throw new IllegalArgumentException("lzo segments are not written");
                default -> throw new IllegalArgumentException(c.toString());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("compressing in memory", e);
        }
    }

    private static void lz4Legacy(byte[] data, ByteArrayOutputStream out) {
        Lz4Compressor lz4 = new Lz4Compressor();
        byte[] buf = new byte[lz4.maxCompressedLength(LZ4_LEGACY_BLOCK)];
        writeLe32(out, LZ4_LEGACY_MAGIC);
        for (int off = 0; off < data.length; off += LZ4_LEGACY_BLOCK) {
            int len = Math.min(LZ4_LEGACY_BLOCK, data.length - off);
            int n = lz4.compress(data, off, len, buf, 0, buf.length);
            writeLe32(out, n);
            out.write(buf, 0, n);
        }
    }

    private static void writeLe32(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
