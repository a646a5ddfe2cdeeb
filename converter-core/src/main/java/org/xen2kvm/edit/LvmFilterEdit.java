package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.TextFiles;

/**
 * Lets LVM see the KVM disks. A Xen guest's {@code /etc/lvm/lvm.conf} may restrict LVM to
 * the Xen disks ({@code filter = [ "a|^/dev/xvd.*|", "r/.*&#47;" ]}, or the same as
 * {@code global_filter}); on KVM the physical volumes are {@code /dev/vd*}, so the volume
 * group would not be found and the root filesystem not mounted.
 *
 * <p>LVM tries a device's names against the patterns in order, the first match deciding
 * ({@code a} accepts, {@code r} rejects; no match accepts; lvm.conf(5)). The rewrite keeps
 * every rule of the user and inserts {@code "a|^/dev/vd.*|"} just before the first rule that
 * would reject a virtio disk name ({@code /dev/vda}, {@code /dev/vdb1}...), so the KVM disks
 * are accepted and everything else is decided as before. Patterns are judged with Java's
 * regular expressions, which read LVM's simple ones the same way; a pattern Java cannot
 * compile counts as matching, so a reject rule of that kind gets the accept rule in front.
 *
 * <p>The same rewrite must be applied to the copy of lvm.conf inside the initramfs, which
 * is what activates the root volume group: {@link #rewrite(String, String)} is the pure function
 * for that.
 */
public final class LvmFilterEdit implements GuestEdit {

    public static final String LVM_CONF = "/etc/lvm/lvm.conf";
    /** The rule inserted; matched anywhere in a device name, like every LVM pattern. */
    public static final String ACCEPT_VIRTIO = "a|^/dev/vd.*|";
    /** Names a virtio disk and its partitions have on KVM, judged against the filters. */
    static final List<String> VIRTIO_NAMES = List.of("/dev/vda", "/dev/vda1", "/dev/vda2", "/dev/vdb", "/dev/vdb1", "/dev/vdc",
            "/dev/vdc1", "/dev/vdd", "/dev/vdd2");
    static final String COMMENT = "# xen2kvm: the KVM disks are /dev/vd*; accepted before the first rule that rejected them";
    private static final List<String> KEYS = List.of("filter", "global_filter");

    @Override
    public String name() {
        return "lvm";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        Optional<String> text = TextFiles.read(fs, LVM_CONF);
        if (text.isEmpty()) {
            return notes;
        }
        try {
            Optional<String> rewritten = rewrite(LVM_CONF, text.get());
            if (rewritten.isPresent()) {
                fs.writeText(LVM_CONF, rewritten.get());
                notes.add(LVM_CONF + ": filter rejected the virtio disks; " + ACCEPT_VIRTIO + " added before the rule that"
                        + " rejected them (the copy in the initramfs needs the same before it can find the root volume group)");
            }
        } catch (LvmConfException e) {
            notes.add(WARNING + e.getMessage() + "; left unchanged: if its filter rejects /dev/vd*, LVM will not find the"
                    + " volume groups on KVM");
        }
        return notes;
    }

    /** As {@link #rewrite(String, String)} for a file named {@code lvm.conf} in messages. */
    public static Optional<String> rewrite(String lvmConfText) {
        return rewrite("lvm.conf", lvmConfText);
    }

    /**
     * The lvm.conf text with {@code devices/filter} and {@code devices/global_filter} made to
     * accept {@code /dev/vd*}, everything else byte for byte as it was.
     *
     * @param source names the file in messages ({@code /etc/lvm/lvm.conf}, {@code initrd:etc/lvm/lvm.conf})
     * @return the new text, or empty when no filter rejects a virtio disk (so nothing changes)
     * @throws LvmConfException when the text is not LVM configuration syntax (an unterminated
     *         string, array or section) or a filter is not a string or an array of strings
     */
    public static Optional<String> rewrite(String source, String lvmConfText) {
        List<LvmConfText.Setting> settings = LvmConfText.find(source, lvmConfText, "devices", KEYS);
        // Every change is an edit of the original text, applied from the end so that earlier
        // offsets stay valid (two settings on one line share the line's comment).
        java.util.TreeMap<Integer, List<String[]>> edits = new java.util.TreeMap<>();
        java.util.Set<Integer> commented = new java.util.HashSet<>();
        for (LvmConfText.Setting setting : settings) {
            int at = firstRejecting(setting);
            if (at < 0) {
                continue;
            }
            if (!setting.isArray()) {
                LvmConfText.Element only = setting.elements().get(0);
                edits.computeIfAbsent(only.start(), k -> new ArrayList<>()).add(new String[] {
                    String.valueOf(only.end()),
                    "[ \"" + ACCEPT_VIRTIO + "\", " + lvmConfText.substring(only.start(), only.end()) + " ]"});
            } else {
                LvmConfText.Element target = setting.elements().get(at);
                int lineStart = lvmConfText.lastIndexOf('\n', target.start() - 1) + 1;
                String before = lvmConfText.substring(lineStart, target.start());
                boolean ownLine = before.isBlank() && at > 0;
                edits.computeIfAbsent(target.start(), k -> new ArrayList<>()).add(new String[] {
                    String.valueOf(target.start()), "\"" + ACCEPT_VIRTIO + "\"," + (ownLine ? "\n" + before : " ")});
            }
            int keyLine = lvmConfText.lastIndexOf('\n', setting.keyStart() - 1) + 1;
            if (commented.add(keyLine)) {
                String indent = lvmConfText.substring(keyLine, setting.keyStart());
                edits.computeIfAbsent(keyLine, k -> new ArrayList<>()).add(0, new String[] {
                    String.valueOf(keyLine), (indent.isBlank() ? indent : "") + COMMENT + "\n"});
            }
        }
        if (edits.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder(lvmConfText);
        for (var e : edits.descendingMap().entrySet()) {
            List<String[]> at = e.getValue();
            for (int i = at.size() - 1; i >= 0; i--) {
                out.replace(e.getKey(), Integer.parseInt(at.get(i)[0]), at.get(i)[1]);
            }
        }
        return Optional.of(out.toString());
    }

    /**
     * Index of the first pattern that decides a virtio disk name as rejected, or -1 when every
     * such name is accepted (by a rule or by matching none).
     */
    static int firstRejecting(LvmConfText.Setting setting) {
        List<Rule> rules = new ArrayList<>();
        for (LvmConfText.Element e : setting.elements()) {
            rules.add(Rule.of(e.value()));
        }
        int first = -1;
        for (String name : VIRTIO_NAMES) {
            for (int i = 0; i < rules.size(); i++) {
                Rule r = rules.get(i);
                if (r.matches(name)) {
                    if (!r.accept() && (first < 0 || i < first)) {
                        first = i;
                    }
                    break;
                }
            }
        }
        return first;
    }

    /** One filter pattern: {@code a} or {@code r}, a delimiter, the regex, the delimiter again. */
    private record Rule(boolean accept, Pattern regex) {

        static Rule of(String pattern) {
            if (pattern.length() < 3 || (pattern.charAt(0) != 'a' && pattern.charAt(0) != 'r')
                    || pattern.charAt(pattern.length() - 1) != pattern.charAt(1)) {
                // LVM refuses such a filter; judged as matching so that a reject is never trusted to pass vd.
                return new Rule(pattern.startsWith("a"), null);
            }
            try {
                return new Rule(pattern.charAt(0) == 'a', Pattern.compile(pattern.substring(2, pattern.length() - 1)));
            } catch (PatternSyntaxException e) {
                return new Rule(pattern.charAt(0) == 'a', null);
            }
        }

        boolean matches(String name) {
            return regex == null ? !accept : regex.matcher(name).find();
        }
    }
}
