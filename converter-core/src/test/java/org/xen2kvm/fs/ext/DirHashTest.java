package org.xen2kvm.fs.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directory name hashes agree with debugfs dx_hash for every signed hash algorithm. */
class DirHashTest {
    static final String SEED = "cba9b850-0be8-4b03-9714-268ea32c2ffc";
    static final List<String> NAMES = List.of("a", "hello", "fstab", "grub.cfg", "exactly-sixteen!",
            "a-name-that-is-exactly-32-bytes!", "héllo-wörld-with-a-name-longer-than-thirty-two-bytes-and-more-than-sixty-four-bytes-too",
            "serial-getty@hvc0.service", "\u00ff\u00fe\u00e9");

    @Test
    void matchesDebugfs(@TempDir Path dir) throws Exception {
        ExtImages.requireTools();
        Path img = ExtImages.mkfs(new ExtImages.Variant("hash", "ext4", 8, "-b", "1024"), dir, null);
        int[] seed = seedWords(SEED);
        String[] algs = {"legacy", "half_md4", "tea"};
        for (int version = 0; version < algs.length; version++) {
            for (String name : NAMES) {
                String out = ExtImages.debugfs(img, "dx_hash -h " + algs[version] + " -s " + SEED + " " + name);
                Matcher m = Pattern.compile("is 0x([0-9a-f]+)").matcher(out);
                if (!m.find()) {
                    throw new AssertionError("no hash in: " + out);
                }
                int expected = (int) Long.parseLong(m.group(1), 16);
                assertEquals(expected, DirHash.hash(name.getBytes(StandardCharsets.UTF_8), version, seed), algs[version] + " " + name);
            }
        }
    }

    /** s_hash_seed holds the UUID bytes in order, read as little-endian words. */
    static int[] seedWords(String uuid) {
        String hex = uuid.replace("-", "");
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        int[] w = new int[4];
        for (int i = 0; i < 4; i++) {
            w[i] = (int) Le.u32(b, 4 * i);
        }
        return w;
    }
}
