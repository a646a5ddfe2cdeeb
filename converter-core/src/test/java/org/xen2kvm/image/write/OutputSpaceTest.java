package org.xen2kvm.image.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.RawFileDevice;

class OutputSpaceTest {
    @Test
    void sizesForPeople() {
        assertEquals("512 bytes", OutputSpace.human(512));
        assertEquals("64 KiB", OutputSpace.human(64 << 10));
        assertEquals("1.0 MiB", OutputSpace.human(1 << 20));
        assertEquals("300 MiB", OutputSpace.human(300L << 20));
        assertEquals("1.2 GiB", OutputSpace.human((long) (1.2 * (1L << 30))));
    }

    @Test
    void theNeedIsTheAllocatedDataNotTheVirtualSize(@TempDir Path dir) throws IOException {
        Path img = dir.resolve("sparse.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(1L << 30);
            f.seek(100L << 20);
            f.write(new byte[] {1});
        }
        try (RawFileDevice dev = RawFileDevice.openReadOnly(img)) {
            // One byte of data is one 64 KiB cluster to copy.
            assertEquals(64 << 10, OutputSpace.dataBytes(dev));
        }
        OutputSpace s = OutputSpace.measure(List.of(new OutputSpace.DiskNeed(dir.resolve("a"), 10),
                new OutputSpace.DiskNeed(dir.resolve("b"), 20)), dir.resolve("not").resolve("yet"));
        assertEquals(30, s.neededBytes());
        assertFalse(s.tooSmall());
        assertTrue(s.freeBytes() > 0);
        assertEquals(new OutputSpace(s.disks(), s.fileSystem(), 29).refusal(dir).getMessage(), dir
                + ": not enough space on " + s.fileSystem() + " (needed about 30 bytes for the disks, 29 bytes free);"
                + " nothing was written");
    }

    @Test
    void recognisesAFullFileSystemOrQuotaDownTheCauseChain() {
        assertTrue(OutputSpace.isOutOfSpace(new IOException("No space left on device")));
        assertTrue(OutputSpace.isOutOfSpace(new IOException("write failed", new IOException("Disk quota exceeded"))));
        assertFalse(OutputSpace.isOutOfSpace(new IOException("Input/output error")));
    }
}
