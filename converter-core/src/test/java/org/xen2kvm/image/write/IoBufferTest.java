package org.xen2kvm.image.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class IoBufferTest {
    private static final int SIZE = 16 << 20;

    @Test
    void largeBufferIsZeroedWritableAndOnAHugePageBoundary() {
        try (IoBuffer b = IoBuffer.allocate(SIZE)) {
            ByteBuffer buf = b.buffer();
            assertTrue(buf.isDirect());
            assertEquals(SIZE, buf.capacity());
            assertEquals(0, address(buf) % (2 << 20), "starts on a 2 MiB boundary");
            for (int i = 0; i < SIZE; i += 4096) {
                assertEquals(0, buf.get(i), "zero-filled at " + i);
            }
            buf.putLong(SIZE - 8, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, buf.getLong(SIZE - 8));
        }
    }

    /** The kernel is asked for huge pages: the mapping is eligible unless the host turned them off. */
    @Test
    void largeBufferIsAdvisedForHugePages() throws IOException {
        Path setting = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        boolean thpOn = Files.exists(setting) && !Files.readString(setting).contains("[never]");
        try (IoBuffer b = IoBuffer.allocate(SIZE)) {
            String vma = mappingOf(address(b.buffer()));
            assertTrue(vma.contains("THPeligible:"), "smaps lists the buffer's mapping:\n" + vma);
            if (Files.exists(setting)) {
                assertTrue(vma.matches("(?s).*VmFlags:.* hg.*"), "madvise(MADV_HUGEPAGE) took:\n" + vma);
            }
            assertEquals(thpOn, vma.matches("(?s).*THPeligible:\\s+1.*"), "huge-page eligibility:\n" + vma);
        }
    }

    @Test
    void smallBufferIsPageAligned() {
        try (IoBuffer b = IoBuffer.allocate(64 << 10)) {
            assertEquals(64 << 10, b.buffer().capacity());
            assertEquals(0, address(b.buffer()) % 4096);
        }
        assertEquals(0, address(IoBuffer.pageAligned(8192)) % 4096);
    }

    @Test
    void closingTwiceIsHarmless() {
        IoBuffer b = IoBuffer.allocate(SIZE);
        b.buffer().put(0, (byte) 1);
        b.close();
        b.close();
    }

    private static long address(ByteBuffer buf) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(buf));
    }

    /** The /proc/self/smaps entry of the mapping holding {@code address}. */
    private static String mappingOf(long address) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        StringBuilder entry = null;
        for (String line : lines) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                if (entry != null) {
                    return entry.toString();
                }
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                long start = Long.parseUnsignedLong(range[0], 16);
                long end = Long.parseUnsignedLong(range[1], 16);
                if (address >= start && address < end) {
                    entry = new StringBuilder();
                }
            }
            if (entry != null) {
                entry.append(line).append('\n');
            }
        }
        return entry == null ? "" : entry.toString();
    }
}
