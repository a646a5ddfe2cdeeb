package org.xen2kvm.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtentsTest {
    @Test
    void appendMergesTouchingAndOverlappingRanges() {
        List<Extent> out = new ArrayList<>();
        Extents.append(out, 0, 10);
        Extents.append(out, 10, 5);
        Extents.append(out, 12, 1);
        Extents.append(out, 20, 0);
        Extents.append(out, 30, 5);
        assertEquals(List.of(new Extent(0, 15), new Extent(30, 5)), out);
    }

    @Test
    void appendClippedWalksWindowsInOrder() {
        List<Extent> below = List.of(new Extent(0, 100), new Extent(200, 100), new Extent(400, 10));
        List<Extent> out = new ArrayList<>();
        int i = Extents.appendClipped(out, below, 0, 50, 250);
        assertEquals(List.of(new Extent(50, 50), new Extent(200, 50)), out);
        assertEquals(0, i);
        i = Extents.appendClipped(out, below, i, 260, 405);
        assertEquals(1, i);
        assertEquals(List.of(new Extent(50, 50), new Extent(200, 50), new Extent(260, 40), new Extent(400, 5)), out);
        assertEquals(List.of(new Extent(0, 100), new Extent(200, 50)), Extents.clip(below, 250));
        assertEquals(145, Extents.totalLength(out));
    }
}
