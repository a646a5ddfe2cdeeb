package org.xen2kvm.edit;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xen2kvm.Xen2KvmException;

/**
 * GRUB 2's environment block ({@code /boot/grub/grubenv}, written by {@code grub-editenv}):
 * exactly {@link #SIZE} bytes, the header line, {@code name=value} lines, then {@code #}
 * padding. GRUB writes the file in place without allocating, so the size never changes.
 */
final class GrubEnv {
    /** grub-core/lib/envblk.c: DEFAULT_ENVBLK_SIZE. */
    static final int SIZE = 1024;
    static final String HEADER = "# GRUB Environment Block\n";

    private final Map<String, String> vars = new LinkedHashMap<>();

    /**
     * Parses a block.
     *
     * @throws Xen2KvmException naming {@code path} when the header or the size is not GRUB's
     */
    static GrubEnv parse(String path, byte[] data) {
        String s = new String(data, StandardCharsets.ISO_8859_1);
        if (data.length != SIZE || !s.startsWith(HEADER)) {
            throw new Xen2KvmException(path + ": not a GRUB environment block (" + data.length
                    + " bytes, expected " + SIZE + " starting with '# GRUB Environment Block'); left unchanged");
        }
        GrubEnv env = new GrubEnv();
        for (String line : s.substring(HEADER.length()).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                env.vars.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    String get(String name) {
        return vars.get(name);
    }

    void set(String name, String value) {
        vars.put(name, value);
    }

    /**
     * The block, padded to {@link #SIZE}.
     *
     * @throws Xen2KvmException when the variables no longer fit
     */
    byte[] toBytes(String path) {
        StringBuilder sb = new StringBuilder(HEADER);
        vars.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        byte[] text = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (text.length > SIZE) {
            throw new Xen2KvmException(path + ": the variables no longer fit in " + SIZE + " bytes");
        }
        byte[] out = new byte[SIZE];
        System.arraycopy(text, 0, out, 0, text.length);
        java.util.Arrays.fill(out, text.length, SIZE, (byte) '#');
        return out;
    }
}
