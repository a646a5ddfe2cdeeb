package org.xen2kvm.edit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xen2kvm.edit.FileChange.FileState;

/**
 * What the guest edits did: every changed path with its content before and after, and
 * each edit's notes.
 */
public record EditReport(List<FileChange> changes, Map<String, List<String>> notes) {

    public EditReport {
        changes = List.copyOf(changes);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        notes.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        notes = java.util.Collections.unmodifiableMap(copy);
    }

    /** The notes that start with {@link GuestEdit#WARNING}, prefixed by their edit's name. */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        notes.forEach((edit, list) -> {
            for (String n : list) {
                if (n.startsWith(GuestEdit.WARNING)) {
                    out.add(edit + ": " + n.substring(GuestEdit.WARNING.length()));
                }
            }
        });
        return out;
    }

    /**
     * All changes as one unified diff, files in the order first touched. Symlinks show as
     * git shows them: a one-line file holding the target without a final newline.
     * Created directories are implied by the files in them and not shown. A binary file shows as
     * one line with its sizes ({@link UnifiedDiff#binaryNote}), followed by the edits' notes about it.
     */
    public String unifiedDiff() {
        StringBuilder sb = new StringBuilder();
        for (FileChange c : changes) {
            String rel = c.path().startsWith("/") ? c.path().substring(1) : c.path();
            if (c.before().kind() == FileState.Kind.BINARY || c.after().kind() == FileState.Kind.BINARY) {
                sb.append(UnifiedDiff.binaryNote(c.path(), size(c.before()), size(c.after())));
                // No diff to show: what the edits said about the file instead (an initrd's added modules).
                notes.forEach((edit, list) -> list.stream().filter(n -> n.startsWith(c.path() + " "))
                        .forEach(n -> sb.append("  ").append(edit).append(": ").append(n).append('\n')));
                continue;
            }
            String a = text(c.before());
            String b = text(c.after());
            if (a == null && b == null) {
                continue;
            }
            if (c.before().kind() != c.after().kind() && a != null && b != null) {
                // A file replaced by a link (or back): show as removal and creation.
                sb.append(UnifiedDiff.diff("a/" + rel, "b/" + rel, a, null));
                sb.append(UnifiedDiff.diff("a/" + rel, "b/" + rel, null, b));
                continue;
            }
            sb.append(UnifiedDiff.diff("a/" + rel, "b/" + rel, a, b));
        }
        return sb.toString();
    }

    /** The size of a file state, -1 for none (absent, a directory). */
    private static long size(FileState s) {
        return switch (s.kind()) {
            case FILE, BINARY, SYMLINK -> s.size();
            default -> -1;
        };
    }

    private static String text(FileState s) {
        return switch (s.kind()) {
            case FILE, SYMLINK -> s.content();
            default -> null;
        };
    }
}
