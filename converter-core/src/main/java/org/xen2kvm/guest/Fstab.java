package org.xen2kvm.guest;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed {@code /etc/fstab}: the raw lines, kept so an edit can rewrite the file
 * faithfully, and the mount entries found in them. Unparseable lines are kept and warned about.
 */
public record Fstab(String path, List<String> rawLines, List<FstabEntry> entries, List<String> warnings) {

    /** fstab(5) needs at least spec, file and vfstype. */
    private static final int MIN_FIELDS = 3;
    private static final int MAX_FIELDS = 6;

    public Fstab {
        rawLines = List.copyOf(rawLines);
        entries = List.copyOf(entries);
        warnings = List.copyOf(warnings);
    }

    public static Fstab parse(String path, String text) {
        List<String> lines = TextFiles.lines(text);
        List<FstabEntry> entries = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split("\\s+");
            if (f.length < MIN_FIELDS || f.length > MAX_FIELDS) {
                warnings.add(path + " line " + (i + 1) + ": " + f.length + " fields, fstab(5) has 3 to 6; line ignored: "
                        + TextFiles.excerpt(t));
                continue;
            }
            int dump = 0;
            int pass = 0;
            try {
                dump = f.length > 4 ? Integer.parseInt(f[4]) : 0;
                pass = f.length > 5 ? Integer.parseInt(f[5]) : 0;
            } catch (NumberFormatException e) {
                warnings.add(path + " line " + (i + 1) + ": dump/pass field is not a number; taken as 0: "
                        + TextFiles.excerpt(t));
            }
            entries.add(new FstabEntry(i + 1, f[0], f[1], f[2], f.length > 3 ? f[3] : "defaults", dump, pass));
        }
        return new Fstab(path, lines, entries, warnings);
    }

    /** The entry mounted at {@code mountPoint}, or null. */
    public FstabEntry at(String mountPoint) {
        for (FstabEntry e : entries) {
            if (e.mountPoint().equals(mountPoint)) {
                return e;
            }
        }
        return null;
    }
}
