package org.xen2kvm.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardTest {
    /**
     * The documented function, checked against values from another implementation
     * (Python's zlib.crc32 of the UTF-8 bytes): a change of the function would move guests
     * between the hosts of a running migration.
     */
    @Test
    void isCrc32OfUtf8NameModN() {
        assertEquals(0, Shard.of("guest-a", 3)); // crc32 3920432517
        assertEquals(2, Shard.of("guest-b", 3)); // crc32 1889819711
        assertEquals(1, Shard.of("web01", 3)); // crc32 1155786100
        assertEquals(0, Shard.of("db-\u00df", 3)); // crc32 2337130227: UTF-8, not Latin-1
        assertTrue(new Shard(1, 3).contains("guest-a"));
        assertTrue(new Shard(3, 3).contains("guest-b"));
    }

    @Test
    void everyNameFallsInExactlyOneShard() {
        Random random = new Random(13);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            names.add("vm" + Integer.toString(random.nextInt(1 << 30), 36) + "-" + i);
        }
        for (int n = 1; n <= 8; n++) {
            Map<String, Integer> owner = new HashMap<>();
            int[] sizes = new int[n];
            for (int i = 1; i <= n; i++) {
                Shard shard = new Shard(i, n);
                for (String name : names) {
                    if (shard.contains(name)) {
                        Integer before = owner.put(name, i);
                        assertEquals(null, before, name + " in shards " + before + " and " + i + " of " + n);
                        sizes[i - 1]++;
                    }
                }
            }
            assertEquals(names.size(), owner.size(), "every name in some shard of " + n);
            for (int i = 0; i < n; i++) {
                // 600 names over at most 8 shards: a fair hash gives each about 600/n.
                assertTrue(sizes[i] > 600 / n / 2, "shard " + (i + 1) + "/" + n + " has only " + sizes[i]);
            }
        }
    }

    @Test
    void parsesAndRefuses() {
        assertEquals(new Shard(2, 4), Shard.parse("2/4"));
        assertEquals(Shard.ALL, Shard.parse("1/1"));
        for (String bad : List.of("0/2", "3/2", "2", "a/b", "/2", "1/0", "-1/2")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--shard "), e.getMessage());
        }
    }
}
