package org.xen2kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xen2kvm.testutil.StrictJson;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceGuestJson;
import org.xen2kvm.xen.VirtType;

class JsonStyleTest {
    @Test
    void writesPrettyWithTwoSpacesAndStableOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", 1L);
        m.put("a", List.of(true, "x"));
        m.put("e", List.of());
        m.put("o", new LinkedHashMap<>());
        m.put("n", null);
        String expected = "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    \"x\"\n  ],\n  \"e\": [],\n  \"o\": {},\n  \"n\": null\n}";
        assertEquals(expected, JsonStyle.pretty(m));
        ObjectNode tree = JsonStyle.object().put("b", 1L);
        tree.putArray("a").add(true).add("x");
        tree.set("e", JsonStyle.array());
        tree.set("o", JsonStyle.object());
        tree.putNull("n");
        assertEquals(expected, JsonStyle.pretty(tree));
        assertEquals("{\"b\":1,\"a\":[true,\"x\"],\"e\":[],\"o\":{},\"n\":null}", JsonStyle.compact(tree));
    }

    @Test
    void escapesControlCharactersAndJavaScriptLineTerminators() {
        String s = "q\" b\\ n\n t\t c\u0001 d\u001f u\u2028 v\u2029 é";
        String json = JsonStyle.pretty(s);
        assertEquals("\"q\\\" b\\\\ n\\n t\\t c\\u0001 d\\u001f u\\u2028 v\\u2029 é\"", json);
        assertEquals(json, JsonStyle.compact(s));
        assertEquals(s, StrictJson.parse(json));
        assertEquals("{\"k\\u0000\":\"\\b\\f\\r\"}", JsonStyle.compact(JsonStyle.object().put("k\0", "\b\f\r")));
    }

    @Test
    void roundTripsNestedTrees() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("pi", 3.25);
        inner.put("big", Long.MAX_VALUE);
        inner.put("neg", -42L);
        inner.put("list", new ArrayList<>(Arrays.asList(null, false, "", List.of(List.of()))));
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("source", inner);
        top.put("warnings", List.of("w1", "line\nbreak"));
        Object back = StrictJson.parse(JsonStyle.pretty(top));
        assertEquals(top, back);
        assertEquals(JsonStyle.pretty(top), JsonStyle.pretty(back));
    }

    @Test
    void refusesNaNAndInfinities() {
        for (double d : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> JsonStyle.pretty(JsonStyle.object().put("x", d)));
            assertTrue(e.getMessage().contains("no representation"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> JsonStyle.compact(List.of(d)));
        }
        assertThrows(IllegalArgumentException.class, () -> JsonStyle.compact(Map.of("f", Float.NaN)));
        assertEquals("[0.5,1.0E21]", JsonStyle.compact(List.of(0.5, 1e21)));
    }

    @Test
    void strictReadingRefusesWhatIsNotOneCleanDocument() {
        for (String bad : List.of("[1, 2}", "[1,\n ]", "{\"a\":1,\"a\":2}", "01", "1 x", "// c\n1", "\"a", "", "[1,]",
                "{\"a\":1,}", "[".repeat(10_000))) {
            assertThrows(UncheckedIOException.class, () -> StrictJson.parse(bad), bad);
        }
        assertTrue(assertThrows(UncheckedIOException.class, () -> StrictJson.parse("{\"a\":1,\"a\":2}"))
                .getMessage().contains("Duplicate field 'a'"));
        assertEquals(12L, StrictJson.parse("12"));
        assertEquals(-0.5, StrictJson.parse("-0.5"));
        assertEquals(List.of(List.of()), StrictJson.parse("[[]]"));
    }

    @Test
    void sourceGuestJsonParsesBackWithAllKeysInOrder() {
        SourceGuest.Builder b = SourceGuest.builder(ConfigFormat.XL, "t.cfg");
        b.name = "g\"1";
        b.virtType = VirtType.PVH;
        b.memoryMiB = 512L;
        b.disks.add(new SourceDisk(null, null, false, "xvda", true, true, false, null, false));
        String json = SourceGuestJson.toJson(b.build());
        Map<String, Object> back = StrictJson.object(json);
        assertEquals(List.of("name", "uuid", "virtType", "memoryMiB", "maxMemoryMiB", "vcpus", "maxVcpus", "kernel",
                "ramdisk", "cmdline", "bootloader", "bootloaderArgs", "onPoweroff", "onReboot", "onCrash", "disks",
                "nics", "graphics"), new ArrayList<>(back.keySet()));
        assertEquals("g\"1", back.get("name"));
        assertEquals("pvh", back.get("virtType"));
        assertEquals(512L, back.get("memoryMiB"));
        Map<String, Object> disk = new LinkedHashMap<>();
        disk.put("path", null);
        disk.put("format", null);
        disk.put("vdev", "xvda");
        disk.put("readOnly", true);
        disk.put("cdrom", true);
        assertEquals(List.of(disk), back.get("disks"));
        assertEquals(json, JsonStyle.pretty(back));
    }
}
