package org.xen2kvm.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the menu entries of GRUB 2 and GRUB legacy configuration files. */
public final class GrubConfigs {

    private static final Pattern MENUENTRY = Pattern.compile("^\\s*menuentry\\s+(?:'([^']*)'|\"([^\"]*)\"|(\\S+)).*");
    private static final Pattern GRUB2_DEFAULT = Pattern.compile("^\\s*set\\s+default=[\"']?([^\"'\\s]*)[\"']?\\s*$");
    private static final Pattern LEGACY_DEFAULT = Pattern.compile("^\\s*default[\\s=]+(\\S+)\\s*$");
    /** Legacy and GRUB 2 separate a command from its arguments by blanks (or '=' in legacy). */
    private static final Pattern COMMAND = Pattern.compile("^\\s*(\\S+?)(?:\\s+|=)(\\S+)(?:\\s+(.*))?$");

    private GrubConfigs() {
    }

    /** GRUB 2 grub.cfg: menuentries (also inside submenus), default from {@code set default=}. */
    public static BootloaderInfo parseGrub2(String path, String text) {
        List<BootEntry> entries = new ArrayList<>();
        String title = null;
        String kernel = null;
        String initrd = null;
        String args = null;
        String dflt = "0";
        for (String line : TextFiles.lines(text)) {
            Matcher me = MENUENTRY.matcher(line);
            Matcher md = GRUB2_DEFAULT.matcher(line);
            if (me.matches()) {
                title = me.group(1) != null ? me.group(1) : me.group(2) != null ? me.group(2) : me.group(3);
                kernel = null;
                initrd = null;
                args = "";
            } else if (md.matches() && title == null) {
                dflt = md.group(1);
            } else if (title != null && line.strip().equals("}")) {
                if (kernel != null) {
                    entries.add(new BootEntry(title, kernel, initrd, args));
                }
                title = null;
            } else if (title != null) {
                Matcher c = COMMAND.matcher(line);
                if (c.matches()) {
                    String cmd = c.group(1);
                    if (cmd.equals("linux") || cmd.equals("linux16") || cmd.equals("linuxefi")) {
                        kernel = c.group(2);
                        args = c.group(3) == null ? "" : c.group(3).strip();
                    } else if (cmd.equals("initrd") || cmd.equals("initrd16") || cmd.equals("initrdefi")) {
                        initrd = c.group(2);
                    }
                }
            }
        }
        return new BootloaderInfo(BootloaderKind.GRUB2, path, entries, pickDefault(entries, dflt));
    }

    /**
     * GRUB legacy menu.lst/grub.conf: {@code title}, {@code kernel}, {@code initrd}, {@code default}.
     * An entry that boots the Xen hypervisor ({@code kernel /xen.gz}) is read as pygrub reads it:
     * its kernel is the first {@code module}, with that module's arguments, its initrd the second.
     */
    public static BootloaderInfo parseLegacy(String path, String text) {
        List<BootEntry> entries = new ArrayList<>();
        String title = null;
        String kernel = null;
        String initrd = null;
        String args = "";
        String dflt = "0";
        // Module lines seen after a Xen hypervisor kernel line of the current entry; -1 when it has none.
        int modules = -1;
        for (String line : TextFiles.lines(text)) {
            String t = line.strip();
            if (t.startsWith("#") || t.isEmpty()) {
                continue;
            }
            Matcher md = LEGACY_DEFAULT.matcher(t);
            if (title == null && md.matches()) {
                dflt = md.group(1);
                continue;
            }
            if (t.startsWith("title")) {
                if (title != null && kernel != null) {
                    entries.add(new BootEntry(title, kernel, initrd, args));
                }
                title = t.substring("title".length()).strip();
                kernel = null;
                initrd = null;
                args = "";
                modules = -1;
                continue;
            }
            Matcher c = COMMAND.matcher(t);
            if (title != null && c.matches()) {
                if (c.group(1).equals("kernel")) {
                    kernel = c.group(2);
                    args = c.group(3) == null ? "" : c.group(3).strip();
                    modules = isXenHypervisor(kernel) ? 0 : -1;
                } else if (c.group(1).equals("initrd")) {
                    initrd = c.group(2);
                } else if (c.group(1).startsWith("module") && modules >= 0) {
                    // As pygrub does: under the hypervisor, Linux is the first module, its initrd the second.
                    if (modules == 0) {
                        kernel = c.group(2);
                        args = c.group(3) == null ? "" : c.group(3).strip();
                    } else if (modules == 1) {
                        initrd = c.group(2);
                    }
                    modules++;
                }
            }
        }
        if (title != null && kernel != null) {
            entries.add(new BootEntry(title, kernel, initrd, args));
        }
        return new BootloaderInfo(BootloaderKind.GRUB_LEGACY, path, entries, pickDefault(entries, dflt));
    }

    /**
     * Whether a menu path names the Xen hypervisor ({@code /xen.gz}, {@code /xen.gz-2.6.18-398.el5},
     * {@code (hd0,0)/xen-4.1.gz}) rather than a Linux kernel.
     */
    public static boolean isXenHypervisor(String menuPath) {
        String name = menuPath.substring(menuPath.lastIndexOf('/') + 1);
        return name.startsWith("xen") && (name.length() == 3 || name.charAt(3) == '.' || name.charAt(3) == '-')
                && !name.startsWith("xen-syms");
    }

    /** GRUB names a file on another device as {@code (hd0,0)/vmlinuz}. */
    private static final Pattern DEVICE_PREFIX = Pattern.compile("^\\([^)]{1,32}\\)");

    /**
     * Where a kernel or initrd path from a boot menu is in the guest tree: menu paths are
     * relative to the filesystem GRUB reads them from, which is {@code /boot} when that is a
     * filesystem of its own ({@code /vmlinuz-2.6.18-398.el5} is {@code /boot/vmlinuz-2.6.18-398.el5}).
     *
     * @return the path that exists as a regular file, or empty
     */
    public static java.util.Optional<String> locate(org.xen2kvm.fs.GuestFileSystem fs, String menuPath) throws java.io.IOException {
        String p = DEVICE_PREFIX.matcher(menuPath).replaceFirst("");
        if (!p.startsWith("/")) {
            return java.util.Optional.empty();
        }
        for (String candidate : List.of(p, "/boot" + p)) {
            var st = fs.stat(candidate);
            if (st.isPresent() && st.get().type() == org.xen2kvm.fs.FileType.REGULAR) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }

    /** extlinux/syslinux: {@code LABEL}, {@code KERNEL}/{@code LINUX}, {@code INITRD}, {@code APPEND}, {@code DEFAULT}. */
    public static BootloaderInfo parseExtlinux(String path, String text) {
        List<BootEntry> entries = new ArrayList<>();
        String title = null;
        String kernel = null;
        String initrd = null;
        String args = "";
        String dflt = "0";
        for (String line : TextFiles.lines(text)) {
            String[] kv = line.strip().split("\\s+", 2);
            String key = kv[0].toLowerCase(java.util.Locale.ROOT);
            String value = kv.length > 1 ? kv[1].strip() : "";
            switch (key) {
                case "default" -> dflt = value;
                case "label" -> {
                    if (title != null && kernel != null) {
                        entries.add(new BootEntry(title, kernel, initrd, args));
                    }
                    title = value;
                    kernel = null;
                    initrd = null;
                    args = "";
                }
                case "kernel", "linux" -> kernel = value;
                case "initrd" -> initrd = value;
                case "append" -> args = value;
                default -> {
                    // MENU, TIMEOUT, PROMPT and the rest do not matter here.
                }
            }
        }
        if (title != null && kernel != null) {
            entries.add(new BootEntry(title, kernel, initrd, args));
        }
        return new BootloaderInfo(BootloaderKind.EXTLINUX, path, entries, pickDefault(entries, dflt));
    }

    private static int pickDefault(List<BootEntry> entries, String dflt) {
        if (entries.isEmpty()) {
            return -1;
        }
        if (dflt.matches("[0-9]{1,4}")) {
            int n = Integer.parseInt(dflt);
            return n < entries.size() ? n : 0;
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).title().equals(dflt)) {
                return i;
            }
        }
        return 0;
    }
}
