package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.TextFiles;

/**
 * Points a boot menu's default at one entry, keeping every place that names the default in
 * agreement: GRUB 2's {@code set default=} (or {@code saved_entry} in {@code grubenv}) and
 * {@code GRUB_DEFAULT} in {@code /etc/default/grub}; GRUB legacy's {@code default}; extlinux's
 * {@code DEFAULT}.
 */
final class BootDefaults {
    static final String DEFAULT_GRUB = "/etc/default/grub";
    private static final Pattern GRUB_DEFAULT = Pattern.compile("^(\\s*(?:export\\s+)?GRUB_DEFAULT=)(.*)$");
    private static final Pattern LEGACY_DEFAULT = Pattern.compile("^(\\s*default(?:\\s*=\\s*|\\s+))(\\S+)(\\s*)$");
    private static final Pattern LEGACY_FALLBACK = Pattern.compile("^(\\s*fallback(?:\\s*=\\s*|\\s+))([0-9]{1,4})(\\s*)$");
    private static final Pattern EXTLINUX_DEFAULT = Pattern.compile("^(\\s*(?i:default)\\s+)(\\S.*)$");

    private BootDefaults() {
    }

    static boolean isRegular(GuestFileSystem fs, String path) throws IOException {
        return fs.lstat(path).map(i -> i.type() == FileType.REGULAR).orElse(false);
    }

    /**
     * Makes {@code target} GRUB 2's default. The grub.cfg value keeps the guest's style (index,
     * id or title); {@code GRUB_DEFAULT} gets the title path {@code update-grub} will generate for
     * the same kernel, since indices and ids change when the menu is regenerated.
     *
     * @param stableTitle the title path for {@code GRUB_DEFAULT}/{@code saved_entry}
     */
    static void grub2(GuestFileSystem fs, String path, String text, Grub2Menu menu, Grub2Menu.Entry target,
                      String stableTitle, List<String> notes) throws IOException {
        List<String> lines = new ArrayList<>(menu.lines);
        String savedValue = stableTitle;
        if (menu.defaultLine >= 0) {
            Matcher m = Grub2Menu.SET_DEFAULT.matcher(lines.get(menu.defaultLine));
            if (m.matches()) {
                String value = Grub2Menu.sameStyle(m.group(3), target, menu);
                String q = m.group(2).isEmpty() ? "\"" : m.group(2);
                lines.set(menu.defaultLine, m.group(1) + q + value + q);
            }
        } else if (!menu.savedDefault) {
            // No default at all: GRUB boots entry 0. Say which, before the first entry.
            int first = menu.entries.isEmpty() ? lines.size() : menu.entries.get(0).firstLine();
            lines.add(first, "set default=\"" + target.index() + "\"");
        }
        String result = Grub2Menu.join(lines, text);
        if (!result.equals(text)) {
            fs.writeText(path, result);
        }
        if (menu.savedDefault) {
            saveEntry(fs, path.substring(0, path.lastIndexOf('/')) + "/grubenv", savedValue, notes);
        }
        notes.add(path + ": default is now '" + target.titlePath() + "' (" + target.kernel() + ")");
        defaultGrub(fs, stableTitle, notes);
    }

    /** {@code saved_entry} in grubenv, the block created when missing. */
    private static void saveEntry(GuestFileSystem fs, String envPath, String value, List<String> notes) throws IOException {
        GrubEnv env;
        if (fs.exists(envPath)) {
            try {
                env = GrubEnv.parse(envPath, fs.readFile(envPath, GrubEnv.SIZE + 1));
            } catch (Xen2KvmException e) {
                notes.add(GuestEdit.WARNING + e.getMessage() + "; set the default with grub-set-default in the guest");
                return;
            }
        } else {
            env = GrubEnv.parse(envPath, new GrubEnv().toBytes(envPath));
        }
        if (value.equals(env.get("saved_entry"))) {
            return;
        }
        env.set("saved_entry", value);
        fs.writeFile(envPath, env.toBytes(envPath), 0644, 0, 0);
        notes.add(envPath + ": saved_entry=" + value);
    }

    /** {@code GRUB_DEFAULT} set to {@code value}, unless it is {@code saved} (then grubenv holds it). */
    private static void defaultGrub(GuestFileSystem fs, String value, List<String> notes) throws IOException {
        Optional<String> text = isRegular(fs, DEFAULT_GRUB) ? TextFiles.read(fs, DEFAULT_GRUB) : Optional.empty();
        if (text.isEmpty()) {
            return;
        }
        List<String> lines = new ArrayList<>(TextFiles.lines(text.get()));
        boolean found = false;
        String quoted = "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`") + "\"";
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = GRUB_DEFAULT.matcher(lines.get(i));
            if (m.matches()) {
                found = true;
                String old = m.group(2).strip().replaceAll("^[\"']|[\"']$", "");
                if (old.equals("saved")) {
                    return;
                }
                lines.set(i, m.group(1) + quoted);
            }
        }
        if (!found) {
            lines.add("GRUB_DEFAULT=" + quoted);
        }
        String result = TextFiles.join(lines, true);
        if (!result.equals(text.get())) {
            fs.writeText(DEFAULT_GRUB, result);
            notes.add(DEFAULT_GRUB + ": GRUB_DEFAULT=" + quoted + " (the same kernel after the next update-grub)");
        }
    }

    /**
     * The title path {@code update-grub} gives the kernel of {@code target}: its non-recovery
     * entry in the "Advanced options" submenu when there is one, else the target's own title path.
     */
    static String stableTitle(Grub2Menu menu, Grub2Menu.Entry target) {
        String base = target.kernel().substring(target.kernel().lastIndexOf('/') + 1);
        for (Grub2Menu.Entry e : menu.entries) {
            if (!e.top() && !e.recovery() && e.kernel().substring(e.kernel().lastIndexOf('/') + 1).equals(base)) {
                return e.titlePath();
            }
        }
        return target.titlePath();
    }

    /**
     * Sets GRUB legacy's {@code default} to entry {@code index}.
     *
     * @param shift how far entries moved down (an entry inserted above), for {@code fallback}
     */
    static void legacy(GuestFileSystem fs, String path, List<String> lines, int index, int shift, String title,
                       List<String> notes) throws IOException {
        boolean done = false;
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            if (t.startsWith("title")) {
                break;
            }
            Matcher d = LEGACY_DEFAULT.matcher(lines.get(i));
            Matcher f = LEGACY_FALLBACK.matcher(lines.get(i));
            if (d.matches() && !done) {
                lines.set(i, d.group(1) + index + d.group(3));
                done = true;
            } else if (f.matches() && shift != 0) {
                lines.set(i, f.group(1) + (Integer.parseInt(f.group(2)) + shift) + f.group(3));
            }
        }
        if (!done) {
            lines.add(0, "default=" + index);
        }
        notes.add(path + ": default is now entry " + index + " (" + title + ")");
    }

    /** Sets extlinux's {@code DEFAULT} to {@code label}. */
    static void extlinux(List<String> lines, String label) {
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = EXTLINUX_DEFAULT.matcher(lines.get(i));
            if (m.matches()) {
                lines.set(i, m.group(1) + label);
                return;
            }
        }
        lines.add(0, "DEFAULT " + label);
    }
}
