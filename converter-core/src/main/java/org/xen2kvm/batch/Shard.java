package org.xen2kvm.batch;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * A stable 1/N share of a plan's guests, so N conversion hosts can split one plan without
 * talking to each other: guest NAME belongs to shard I of N (1-based) exactly when
 * {@code CRC32(UTF-8 bytes of NAME) mod N == I - 1}. It depends on the name alone, so adding,
 * removing or reordering other entries never moves a guest to another shard.
 */
public record Shard(int index, int count) {
    /** Every guest: shard 1 of 1. */
    public static final Shard ALL = new Shard(1, 1);

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("--shard " + index + "/" + count
                    + ": expected I/N with 1 <= I <= N, e.g. 1/2 and 2/2");
        }
    }

    /** Parses {@code I/N}. */
    public static Shard parse(String text) {
        int slash = text.indexOf('/');
        try {
            if (slash > 0) {
                return new Shard(Integer.parseInt(text.substring(0, slash).strip()),
                        Integer.parseInt(text.substring(slash + 1).strip()));
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("--shard " + text + ": expected I/N, e.g. 1/2 and 2/2");
    }

    /** The 0-based shard {@code name} falls in among {@code count}. */
    public static int of(String name, int count) {
        CRC32 crc = new CRC32();
        crc.update(name.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % count);
    }

    public boolean contains(String name) {
        return of(name, count) == index - 1;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
