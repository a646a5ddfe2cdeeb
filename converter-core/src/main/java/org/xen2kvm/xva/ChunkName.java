package org.xen2kvm.xva;

import java.util.Optional;

/**
 * The name of a disk chunk entry: {@code Ref:N/00000012} (data), {@code ...0012.checksum}
 * (SHA-1 hex) or {@code ...0012.xxhash} (xxHash64 hex).
 *
 * @param ref   the VDI reference, the directory part (e.g. {@code Ref:4})
 * @param index chunk number: the chunk covers bytes {@code [index MiB, (index+1) MiB)}
 * @param kind  what the entry holds
 */
record ChunkName(String ref, int index, Kind kind) {

    enum Kind { DATA, SHA1, XXHASH }

    static final String SHA1_SUFFIX = ".checksum";
    static final String XXHASH_SUFFIX = ".xxhash";
    /** xapi writes chunk numbers as 8 decimal digits; more than 9 could overflow an int. */
    private static final int MAX_DIGITS = 9;

    /** Parses an entry name; empty when it is not a chunk entry (e.g. {@code ova.xml}). */
    static Optional<ChunkName> parse(String name) {
        int slash = name.indexOf('/');
        if (slash <= 0 || slash != name.lastIndexOf('/')) {
            return Optional.empty();
        }
        String ref = name.substring(0, slash);
        String file = name.substring(slash + 1);
        Kind kind = Kind.DATA;
        if (file.endsWith(SHA1_SUFFIX)) {
            kind = Kind.SHA1;
            file = file.substring(0, file.length() - SHA1_SUFFIX.length());
        } else if (file.endsWith(XXHASH_SUFFIX)) {
            kind = Kind.XXHASH;
            file = file.substring(0, file.length() - XXHASH_SUFFIX.length());
        }
        if (file.isEmpty() || file.length() > MAX_DIGITS || !file.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        return Optional.of(new ChunkName(ref, Integer.parseInt(file), kind));
    }

    /** The data entry's name, for messages. */
    String dataEntry() {
        return ref + "/" + String.format("%08d", index);
    }
}
