package org.xen2kvm.xva;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The checksum stored after a chunk: SHA-1 ({@code .checksum}, 40 hex digits) or xxHash64
 * with seed 0 ({@code .xxhash}, 16 hex digits).
 */
record ChunkChecksum(ChunkName.Kind kind, String hex) {
    /** Checksum entries hold a hex digest, maybe with a newline; anything longer is not one. */
    static final int MAX_ENTRY_SIZE = 128;

    /** Parses a checksum entry's content; null when it is not hex of the right length. */
    static ChunkChecksum parse(ChunkName.Kind kind, byte[] content) {
        String s = new String(content, StandardCharsets.US_ASCII).trim().toLowerCase(Locale.ROOT);
        int digits = kind == ChunkName.Kind.SHA1 ? 40 : 16;
        if (s.length() != digits || !s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return null;
        }
        return new ChunkChecksum(kind, s);
    }

    /** The checksum of {@code data[0, len)} in this checksum's kind. */
    String compute(byte[] data, int len) {
        if (kind == ChunkName.Kind.XXHASH) {
            return Xxh64.hex(Xxh64.hash(data, 0, len, 0));
        }
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(data, 0, len);
            return HexFormat.of().formatHex(sha1.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-1", e);
        }
    }

    String label() {
        return kind == ChunkName.Kind.XXHASH ? "xxHash64" : "SHA-1";
    }
}
