package org.xen2kvm.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonRoundTripTest {
    @Test
    void writesPrettyWithTwoSpacesAndStableOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", 1L);
        m.put("a", List.of(true, "x"));
        m.put("e", List.of());
        m.put("o", new LinkedHashMap<>());
        m.put("n", null);
        assertEquals("{\n  \"b\": 1,\n  \"a\": [\n    true,\n    \"x\"\n  ],\n  \"e\": [],\n  \"o\": {},\n  \"n\": null\n}",
                JsonWriter.write(m));
    }

    @Test
    void escapesStrings() {
        String s = "q\" b\\ n\n t\t c\u0001 u\u2028 é";
        String json = JsonWriter.write(s);
        assertEquals("\"q\\\" b\\\\ n\\n t\\t c\\u0001 u\\u2028 é\"", json);
        assertEquals(s, JsonParser.parse(json));
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
        Object back = JsonParser.parse(JsonWriter.write(top));
        assertEquals(top, back);
        assertEquals(JsonWriter.write(top), JsonWriter.write(back));
    }

    @Test
    void parsesNumbersAsLongOrDouble() {
        assertEquals(12L, JsonParser.parse("12"));
        assertEquals(-0.5, JsonParser.parse("-0.5"));
        assertEquals(1e21, JsonParser.parse("1e21"));
        assertEquals(1.0e20, JsonParser.parse("100000000000000000000"));
        assertEquals("\u00e9A", JsonParser.parse("\"\\u00e9\\u0041\""));
    }

    @Test
    void rejectsMalformedInputWithPosition() {
        // Line and column of the first error, as Jackson's parser reports them.
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("[1, 2}", "1:6:");
        bad.put("[1,\n ]", "2:2:");
        bad.put("{\"a\":1,\"a\":2}", "1:");
        bad.put("01", "1:");
        bad.put("1 x", "1:3:");
        bad.put("// c\n1", "1:");
        bad.put("\"a", "1:");
        bad.put("", "1:1:");
        bad.put("[1,]", "1:");
        bad.put("{\"a\":1,}", "1:");
        bad.forEach((text, prefix) -> {
            JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.parse(text), text);
            assertTrue(e.getMessage().startsWith(prefix), text + ": " + e.getMessage());
        });
        assertTrue(assertThrows(JsonParseException.class, () -> JsonParser.parse("{\"a\":1,\"a\":2}")).getMessage()
                .contains("Duplicate field 'a'"));
    }

    @Test
    void rejectsHostileNesting() {
        String deep = "[".repeat(10_000);
        JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.parse(deep));
        assertTrue(e.getMessage().contains("" + JsonParser.MAX_DEPTH), e.getMessage());
        assertEquals(List.of(List.of()), JsonParser.parse("[[]]"));
    }

    @Test
    void sourceGuestJsonParsesBackWithAllKeysInOrder() {
        org.xen2kvm.xen.SourceGuest.Builder b = org.xen2kvm.xen.SourceGuest.builder(
                org.xen2kvm.xen.ConfigFormat.XL, "t.cfg");
        b.name = "g\"1";
        b.virtType = org.xen2kvm.xen.VirtType.PVH;
        b.memoryMiB = 512L;
        b.disks.add(new org.xen2kvm.xen.SourceDisk(null, null, false, "xvda", true, true, false, null, false));
        String json = org.xen2kvm.xen.SourceGuestJson.toJson(b.build());
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) JsonParser.parse(json);
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
        assertEquals(json, JsonWriter.write(back));
    }

    @Test
    void writerRefusesMisuse() {
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().value("no key"));
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginArray().endObject());
        assertThrows(IllegalStateException.class, () -> new JsonWriter().value(1L).value(2L));
        assertThrows(IllegalArgumentException.class, () -> new JsonWriter().value(Double.NaN));
    }
}
