package org.xen2kvm.kmod;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The index layout worked out by hand for tiny tries. Whole real indexes are compared byte for
 * byte with depmod's, and read by modprobe, in DepmodOracleTest.
 */
class ModuleIndexWriterTest {
    private static final String HEADER = "b007f457" + "00020001";

    @Test
    void emptyIndexIsARootWithNothing() throws Exception {
        assertEquals(HEADER + "0000000c", HexFormat.of().formatHex(new ModuleIndexWriter("t").toBytes()));
    }

    @Test
    void twoKeysSharingAPrefix() throws Exception {
        ModuleIndexWriter w = new ModuleIndexWriter("t");
        w.insert("ac", "y", 1, "test");
        w.insert("ab", "x", 0, "test");
        String leafB = "00000001" + "00000000" + "7800"; // 1 value: priority 0, "x"  at 12
        String leafC = "00000001" + "00000001" + "7900"; // at 22
        String nodeA = "62" + "63" + "4000000c" + "40000016"; // children 'b'..'c' at 32, both VALUES
        String root = "61" + "61" + "20000020"; // child 'a' at 42: CHILDS | 32
        assertEquals(HEADER + "2000002a" + leafB + leafC + nodeA + root, HexFormat.of().formatHex(w.toBytes()));
    }

    @Test
    void prefixNodesAndValueOrder() throws Exception {
        ModuleIndexWriter w = new ModuleIndexWriter("t");
        w.insert("virtio_blk", "b", 5, "test");
        w.insert("virtio_net", "n", 3, "test");
        w.insert("virtio_net", "m", 3, "test"); // equal priority: the newer goes first, as in depmod
        w.insert("virtio_net", "a", 1, "test");
        byte[] b = w.toBytes();
        String hex = HexFormat.of().formatHex(b);
        // virtio_net's values: by priority, and of the two at 3 the newer ("m") first.
        assertTrue(hex.contains("00000003" + "00000001" + "6100" + "00000003" + "6d00" + "00000003" + "6e00"), hex);
        // The 'v' child holds the shared "irtio_" as its prefix.
        assertTrue(hex.contains(HexFormat.of().formatHex("irtio_\0".getBytes())), hex);
        assertArrayEquals(HexFormat.of().parseHex(HEADER), java.util.Arrays.copyOf(b, 8));
    }

    @Test
    void refusesNonAscii() {
        ModuleIndexWriter w = new ModuleIndexWriter("modules.alias.bin");
        ModuleFormatException e = assertThrows(ModuleFormatException.class, () -> w.insert("caf\u00e9", "m", 0, "/x/m.ko"));
        assertEquals("/x/m.ko: 'caf?' has a character outside 7-bit ASCII at 3; kmod's modules.alias.bin cannot hold it",
                e.getMessage());
    }
}
