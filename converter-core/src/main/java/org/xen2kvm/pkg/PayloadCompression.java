package org.xen2kvm.pkg;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import io.airlift.compress.zstd.ZstdInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.XZInputStream;

/** How a package payload is compressed: Debian's data.tar suffixes and RPM's PAYLOADCOMPRESSOR. */
public enum PayloadCompression {
    NONE("", ""), GZIP(".gz", "gzip"), XZ(".xz", "xz"), ZSTD(".zst", "zstd"), BZIP2(".bz2", "bzip2"), LZMA(".lzma", "lzma");

    /**
     * Memory an xz or lzma stream may ask for, in KiB. {@code xz -9} uses a 64 MiB
     * dictionary; a header asking for more is corrupt or hostile.
     */
    static final int XZ_MEMORY_LIMIT_KIB = 96 << 10;

    private final String suffix;
    private final String rpmName;

    PayloadCompression(String suffix, String rpmName) {
        this.suffix = suffix;
        this.rpmName = rpmName;
    }

    /** The file name suffix dpkg-deb gives the member ({@code .xz}), empty for none. */
    public String suffix() {
        return suffix;
    }

    /** By the suffix of a Debian member name after {@code data.tar} / {@code control.tar}. */
    public static Optional<PayloadCompression> bySuffix(String suffix) {
        for (PayloadCompression c : values()) {
            if (c.suffix.equals(suffix)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** By RPM's PAYLOADCOMPRESSOR value; a missing tag means gzip (rpm before 4.0). */
    public static Optional<PayloadCompression> byRpmName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("identity")) {
            return Optional.of(NONE);
        }
        for (PayloadCompression c : values()) {
            if (!c.rpmName.isEmpty() && c.rpmName.equals(n)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Wraps {@code raw} in this decompressor (buffered). The caller closes what is returned. */
    public InputStream open(InputStream raw) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, 1 << 16);
        return switch (this) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case XZ -> new BufferedInputStream(new XZInputStream(in, XZ_MEMORY_LIMIT_KIB), 1 << 16);
            case ZSTD -> new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
            case BZIP2 -> new BufferedInputStream(new BZip2CompressorInputStream(in), 1 << 16);
            case LZMA -> new BufferedInputStream(new LZMAInputStream(in, XZ_MEMORY_LIMIT_KIB), 1 << 16);
        };
    }

    @Override
    public String toString() {
        return this == NONE ? "uncompressed" : rpmName;
    }
}
