package org.xen2kvm.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CowOverlayTest {
    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    @Test
    void editsNeverReachTheSourceFile(@TempDir Path dir) throws Exception {
        byte[] content = new byte[64 * 1024 + 100];
        new Random(7).nextBytes(content);
        Path src = dir.resolve("src.img");
        Files.write(src, content);
        String before = sha256(src);
        byte[] model = content.clone();
        Random r = new Random(11);
        try (RawFileDevice raw = RawFileDevice.openReadOnly(src); CowOverlay cow = new CowOverlay(raw)) {
            for (int i = 0; i < 200; i++) {
                int off = r.nextInt(content.length - 1);
                int len = 1 + r.nextInt(Math.min(9000, content.length - off));
                byte[] data = new byte[len];
                r.nextBytes(data);
                cow.write(off, ByteBuffer.wrap(data));
                System.arraycopy(data, 0, model, off, len);
                int roff = r.nextInt(content.length - 1);
                int rlen = 1 + r.nextInt(content.length - roff);
                assertArrayEquals(java.util.Arrays.copyOfRange(model, roff, roff + rlen), cow.readBytes(roff, rlen));
            }
            assertArrayEquals(model, cow.readBytes(0, model.length));
            ByteArrayBlockDevice out = new ByteArrayBlockDevice(content.clone(), "copy");
            cow.writeDirtyTo(out);
            assertArrayEquals(model, out.data());
        }
        assertEquals(before, sha256(src));
    }

    @Test
    void reportsDirtyExtentsAndEnforcesItsLimit() throws IOException {
        CowOverlay cow = new CowOverlay(new ByteArrayBlockDevice(10 * 4096 + 10), 3 * 4096);
        cow.write(5000, ByteBuffer.wrap(new byte[10]));
        cow.write(8192, ByteBuffer.wrap(new byte[1]));
        cow.write(40960, ByteBuffer.wrap(new byte[2]));
        assertEquals(List.of(new Extent(4096, 8192), new Extent(40960, 10)), cow.dirtyExtents());
        IOException e = assertThrows(IOException.class, () -> cow.write(0, ByteBuffer.wrap(new byte[1])));
        assertEquals("memory: copy-on-write overlay exceeds 0 MiB of edits", e.getMessage());
    }
}
