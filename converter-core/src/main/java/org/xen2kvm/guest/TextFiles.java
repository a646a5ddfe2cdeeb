package org.xen2kvm.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/** Bounded reading of guest configuration files, which may be missing, huge or binary. */
public final class TextFiles {

    /** Configuration files are small; anything larger is not one we should trust. */
    public static final int MAX_CONFIG_BYTES = 1 << 20;
    /**
     * Names read from one configuration directory (modprobe.d, init, network scripts). Real
     * guests have tens; each name costs a lookup, which scans the whole directory when it is
     * not hashed, so 100,000 names would take minutes.
     */
    public static final int MAX_DIR_ENTRIES = 1000;
    private static final int EXCERPT = 60;

    private TextFiles() {
    }

    /** The text of a regular file (symlinks followed), or empty when it does not exist or is not a file. */
    public static Optional<String> read(GuestFileSystem fs, String path) throws IOException {
        var st = fs.stat(path);
        if (st.isEmpty() || st.get().type() != FileType.REGULAR) {
            return Optional.empty();
        }
        return Optional.of(new String(fs.readFile(path, MAX_CONFIG_BYTES), StandardCharsets.UTF_8));
    }

    /** Lines without their terminators; a final newline does not make an extra empty line. */
    public static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    /** Joins lines back, ending with a newline when the original did. */
    public static String join(List<String> lines, boolean finalNewline) {
        String s = String.join("\n", lines);
        return finalNewline && !lines.isEmpty() ? s + "\n" : s;
    }

    /** A short printable excerpt of untrusted text for a message. */
    public static String excerpt(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < EXCERPT; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > EXCERPT ? "'" + sb + "...'" : "'" + sb + "'";
    }

    /**
     * The names in {@code dir}, sorted, or none when it does not exist or is no directory; at
     * most {@link #MAX_DIR_ENTRIES}, and silently so: callers that can report use the overload.
     */
    public static List<String> listIfDir(GuestFileSystem fs, String dir) throws IOException {
        return listIfDir(fs, dir, MAX_DIR_ENTRIES, new ArrayList<>());
    }

    /** As {@link #listIfDir(GuestFileSystem, String)}, adding a warning to {@code warnings} when names are left out. */
    public static List<String> listIfDir(GuestFileSystem fs, String dir, List<String> warnings) throws IOException {
        return listIfDir(fs, dir, MAX_DIR_ENTRIES, warnings);
    }

    /** The first {@code max} names in {@code dir}, sorted; a warning names the directory and its size when there are more. */
    public static List<String> listIfDir(GuestFileSystem fs, String dir, int max, List<String> warnings) throws IOException {
        var st = fs.stat(dir);
        if (st.isEmpty() || st.get().type() != FileType.DIRECTORY) {
            return List.of();
        }
        List<String> names = fs.list(dir);
        if (names.size() > max) {
            warnings.add(dir + ": " + names.size() + " entries; only the first " + max + " (by name) examined");
            return names.subList(0, max);
        }
        return names;
    }
}
