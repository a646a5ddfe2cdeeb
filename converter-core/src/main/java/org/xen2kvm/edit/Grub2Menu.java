package org.xen2kvm.edit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.guest.TextFiles;

/**
 * The structure of a GRUB 2 {@code grub.cfg} as far as choosing a default needs it: each
 * {@code menuentry} with its position as GRUB numbers it ({@code 0}, {@code 1>2} inside a
 * submenu), its title path, its id ({@code $menuentry_id_option 'gnulinux-...'}), its kernel
 * and the lines it spans; and the {@code set default=} line.
 */
final class Grub2Menu {
    private static final Pattern BLOCK = Pattern.compile("^\\s*(menuentry|submenu)\\s+(?:'([^']*)'|\"([^\"]*)\"|(\\S+))(.*)\\{\\s*$");
    private static final Pattern ID = Pattern.compile("\\$menuentry_id_option\\s+'([^']*)'");
    private static final Pattern LINUX = Pattern.compile("^\\s*(?:linux|linux16|linuxefi)\\s+(\\S+)(.*)$");
    private static final Pattern INITRD = Pattern.compile("^\\s*(?:initrd|initrd16|initrdefi)\\s+(\\S+)");
    /** {@code set default="0"}, {@code set default='Title'}, {@code set default=saved}; not a variable. */
    static final Pattern SET_DEFAULT = Pattern.compile("^(\\s*set\\s+default=)([\"']?)([^\"'$]*)([\"']?)\\s*$");
    /** {@code set default="${saved_entry}"}: the default lives in grubenv. */
    static final Pattern SET_DEFAULT_SAVED = Pattern.compile("^\\s*set\\s+default=[\"']?\\$\\{saved_entry\\}[\"']?\\s*$");
    /** Submenus nest; menus deeper than this are not GRUB's generated ones. */
    private static final int MAX_DEPTH = 8;

    /**
     * One menu entry.
     *
     * @param index     GRUB's position path ({@code 0}, {@code 1>2})
     * @param titlePath titles from the top ({@code Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Linux X})
     * @param id        its id path, or null when an entry on the way has none
     * @param top       not inside a submenu
     * @param firstLine index of its {@code menuentry} line
     * @param lastLine  index of its closing brace
     */
    record Entry(String index, String titlePath, String title, String id, boolean top, String kernel, String kernelArgs,
                 String initrd, int firstLine, int lastLine) {

        boolean recovery() {
            return title.contains("recovery mode") || (" " + kernelArgs + " ").contains(" single ");
        }
    }

    final List<String> lines;
    final List<Entry> entries = new ArrayList<>();
    /** Submenu titles in file order, with their GRUB index. */
    final List<String[]> submenus = new ArrayList<>();
    /** Line of the first literal {@code set default=}, or -1. */
    int defaultLine = -1;
    boolean savedDefault;

    Grub2Menu(String text) {
        lines = TextFiles.lines(text);
        record Open(boolean submenu, String index, String titlePath, String title, String id, int line) {
        }
        List<Open> stack = new ArrayList<>();
        List<Integer> counters = new ArrayList<>(List.of(0));
        String kernel = null;
        String args = "";
        String initrd = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher b = BLOCK.matcher(line);
            if (b.matches() && stack.size() < MAX_DEPTH) {
                String title = b.group(2) != null ? b.group(2) : b.group(3) != null ? b.group(3) : b.group(4);
                Matcher id = ID.matcher(b.group(5));
                Open parent = stack.isEmpty() ? null : stack.get(stack.size() - 1);
                int n = counters.get(counters.size() - 1);
                counters.set(counters.size() - 1, n + 1);
                String index = parent == null ? String.valueOf(n) : parent.index() + ">" + n;
                String titlePath = parent == null ? title : parent.titlePath() + ">" + title;
                String idPath = !id.find() ? null : parent == null ? id.group(1)
                        : parent.id() == null ? null : parent.id() + ">" + id.group(1);
                boolean submenu = b.group(1).equals("submenu");
                stack.add(new Open(submenu, index, titlePath, title, idPath, i));
                if (submenu) {
                    counters.add(0);
                    submenus.add(new String[] {index, title});
                }
                kernel = null;
                args = "";
                initrd = null;
                continue;
            }
            if (stack.isEmpty()) {
                if (defaultLine < 0 && SET_DEFAULT.matcher(line).matches()) {
                    defaultLine = i;
                }
                savedDefault |= SET_DEFAULT_SAVED.matcher(line).matches();
                continue;
            }
            Matcher l = LINUX.matcher(line);
            Matcher r = INITRD.matcher(line);
            if (l.matches()) {
                kernel = l.group(1);
                args = l.group(2).strip();
            } else if (r.find()) {
                initrd = r.group(1);
            } else if (line.strip().equals("}")) {
                Open o = stack.remove(stack.size() - 1);
                if (o.submenu()) {
                    counters.remove(counters.size() - 1);
                } else if (kernel != null) {
                    entries.add(new Entry(o.index(), o.titlePath(), o.title(), o.id(), stack.isEmpty(), kernel, args,
                            initrd, o.line(), i));
                }
                kernel = null;
            }
        }
    }

    /** The value of the literal {@code set default=}, or empty. */
    Optional<String> defaultValue() {
        if (defaultLine < 0) {
            return Optional.empty();
        }
        Matcher m = SET_DEFAULT.matcher(lines.get(defaultLine));
        return m.matches() ? Optional.of(m.group(3)) : Optional.empty();
    }

    /** The entry a default value designates, the way GRUB resolves it: index path, id path or title path. */
    Optional<Entry> resolve(String value) {
        if (value == null || value.isEmpty()) {
            return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0));
        }
        for (Entry e : entries) {
            if (value.equals(e.index()) || value.equals(e.id()) || value.equals(e.titlePath())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** A value naming {@code target} in the style of {@code like}: an index for an index, an id for an id, else a title. */
    static String sameStyle(String like, Entry target, Grub2Menu menu) {
        if (like == null || like.isEmpty() || like.matches("[0-9]{1,4}(>[0-9]{1,4})*")) {
            return target.index();
        }
        boolean usedId = menu.entries.stream().anyMatch(e -> like.equals(e.id()));
        return usedId && target.id() != null ? target.id() : target.titlePath();
    }

    /** Joins the lines back. */
    static String join(List<String> lines, String original) {
        return TextFiles.join(lines, original.endsWith("\n"));
    }
}
