package org.xen2kvm.pkg;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * User and group names of the guest ({@code /etc/passwd}, {@code /etc/group}), so that a
 * package's owners by name become the guest's numeric ids, as dpkg and rpm do on install.
 */
final class GuestAccounts {
    /** Account files larger than this are not read (a large site's passwd is well under it). */
    static final int MAX_BYTES = 16 << 20;

    private final Map<String, Integer> users;
    private final Map<String, Integer> groups;

    private GuestAccounts(Map<String, Integer> users, Map<String, Integer> groups) {
        this.users = users;
        this.groups = groups;
    }

    /** Reads the guest's account files; a missing file means no names are known there. */
    static GuestAccounts read(GuestFileSystem fs) throws IOException {
        return new GuestAccounts(ids(fs, "/etc/passwd"), ids(fs, "/etc/group"));
    }

    /** {@code name:x:id:...} lines; lines that do not parse are passed over, as getpwnam does. */
    private static Map<String, Integer> ids(GuestFileSystem fs, String path) throws IOException {
        Map<String, Integer> m = new HashMap<>();
        if (fs.stat(path).isEmpty()) {
            return m;
        }
        for (String line : new String(fs.readFile(path, MAX_BYTES), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && !f[0].isEmpty() && f[2].matches("\\d{1,9}")) {
                m.putIfAbsent(f[0], Integer.parseInt(f[2]));
            }
        }
        return m;
    }

    OptionalInt uid(String name) {
        Integer id = users.get(name);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    OptionalInt gid(String name) {
        Integer id = groups.get(name);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }
}
