package org.xen2kvm.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SliceBlockDeviceTest {
    @Test
    void readsAndWritesThroughTheWindow() throws Exception {
        ByteArrayBlockDevice parent = new ByteArrayBlockDevice(4096);
        SliceBlockDevice slice = new SliceBlockDevice(parent, 1024, 2048, "p1");
        slice.write(10, java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, parent.readBytes(1034, 3));
        assertArrayEquals(new byte[] {1, 2, 3}, slice.readBytes(10, 3));
        assertEquals(List.of(new Extent(0, 2048)), slice.allocatedExtents());
    }

    @Test
    void refusesAccessPastTheEnd() {
        SliceBlockDevice slice = new SliceBlockDevice(new ByteArrayBlockDevice(4096), 1024, 2048, "p1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> slice.readBytes(2040, 16));
        assertEquals("p1: access 2040+16 outside device of 2048 bytes", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SliceBlockDevice(new ByteArrayBlockDevice(10), 5, 6, "x"));
    }
}
