package org.xen2kvm.pkg;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code control} file of a binary package (deb-control(5)): {@code Field: value} lines,
 * continuation lines starting with a space or tab. Field names are case-insensitive.
 */
final class DebControl {
    /** A control file larger than this is corrupt (the kernel's is under 2 KiB). */
    static final int MAX_BYTES = 1 << 20;

    private final Map<String, String> fields;

    private DebControl(Map<String, String> fields) {
        this.fields = fields;
    }

    /**
     * Parses the text strictly: every line is a field or a continuation.
     *
     * @throws PackageFormatException naming the file and the line
     */
    static DebControl parse(Path file, String text) throws PackageFormatException {
        Map<String, String> fields = new LinkedHashMap<>();
        String last = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                if (i == lines.length - 1 || lines[i + 1].isBlank() || fields.isEmpty()) {
                    continue;
                }
                break; // a blank line ends the paragraph; a binary package has one
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (last == null) {
                    throw new PackageFormatException(file, "control line " + (i + 1), "continuation line before any field");
                }
                fields.put(last, fields.get(last) + "\n" + line.strip());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new PackageFormatException(file, "control line " + (i + 1), "expected 'Field: value', got '"
                        + shorten(line) + "'");
            }
            last = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            fields.put(last, line.substring(colon + 1).strip());
        }
        return new DebControl(fields);
    }

    Optional<String> field(String name) {
        return Optional.ofNullable(fields.get(name.toLowerCase(Locale.ROOT)));
    }

    String required(Path file, String name) throws PackageFormatException {
        String v = fields.get(name.toLowerCase(Locale.ROOT));
        if (v == null || v.isBlank()) {
            throw new PackageFormatException(file, "control file", "required field " + name + " is missing");
        }
        return v;
    }

    /**
     * A relationship field ({@code Depends}): comma-separated dependencies, each a
     * {@code |}-separated list of {@code name[:arch] [(op version)] [[arch list]] [<profiles>]}.
     */
    static List<Dependency> relations(Path file, String field, String value) throws PackageFormatException {
        List<Dependency> out = new ArrayList<>();
        for (String dep : value.replace('\n', ' ').split(",")) {
            if (dep.isBlank()) {
                continue;
            }
            List<Relation> alts = new ArrayList<>();
            for (String alt : dep.split("\\|")) {
                alts.add(relation(file, field, alt.strip()));
            }
            out.add(new Dependency(alts));
        }
        return out;
    }

    private static Relation relation(Path file, String field, String s) throws PackageFormatException {
        // Architecture restrictions and build profiles matter only when building.
        String t = s.replaceAll("\\[[^]]*]", "").replaceAll("<[^>]*>", "").strip();
        String name = t;
        String op = "";
        String version = "";
        int paren = t.indexOf('(');
        if (paren >= 0) {
            int close = t.indexOf(')', paren);
            if (close < 0) {
                throw new PackageFormatException(file, "control field " + field, "unclosed '(' in '" + shorten(s) + "'");
            }
            name = t.substring(0, paren).strip();
            String c = t.substring(paren + 1, close).strip();
            int i = 0;
            while (i < c.length() && "<>=".indexOf(c.charAt(i)) >= 0) {
                i++;
            }
            op = c.substring(0, i);
            version = c.substring(i).strip();
            if (op.isEmpty() || version.isEmpty()) {
                throw new PackageFormatException(file, "control field " + field, "version constraint '" + shorten(c)
                        + "' needs an operator and a version");
            }
        }
        int colon = name.indexOf(':');
        if (colon >= 0) {
            name = name.substring(0, colon);
        }
        if (name.isEmpty() || !name.matches("[A-Za-z0-9][A-Za-z0-9+.\\-]*")) {
            throw new PackageFormatException(file, "control field " + field, "bad package name in '" + shorten(s) + "'");
        }
        return new Relation(name, op, version);
    }

    /** The names a Provides field lists (versions dropped). */
    static List<String> provides(Path file, String value) throws PackageFormatException {
        List<String> names = new ArrayList<>();
        for (Dependency d : relations(file, "Provides", value)) {
            for (Relation r : d.alternatives()) {
                names.add(r.name());
            }
        }
        return names;
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
