package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.BootloaderInfo;
import org.xen2kvm.guest.GrubConfigs;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.OsFamily;
import org.xen2kvm.guest.TextFiles;
import org.xen2kvm.plan.KernelCmdline;

/**
 * Adds a boot entry for a kernel installed into the guest and makes it the default, in every
 * boot menu the guest has, the way the distribution's own tools would:
 * <ul>
 * <li>GRUB 2: a {@code menuentry} copied from the default one (root, modules, {@code root=}
 *     kept), kernel and initrd paths and the release replaced, put first; {@code set default=},
 *     {@code GRUB_DEFAULT} and grubenv point at it ({@link BootDefaults});</li>
 * <li>GRUB legacy: a {@code title} copied from the default entry that boots a kernel itself
 *     (not a Xen hypervisor entry), put first as {@code grubby} does, {@code default=0},
 *     {@code fallback} shifted;</li>
 * <li>extlinux/syslinux: a {@code LABEL} copied from the default one, made {@code DEFAULT};</li>
 * <li>RHEL: {@code DEFAULTKERNEL}/{@code UPDATEDEFAULT=yes} in {@code /etc/sysconfig/kernel}, so
 *     that the next kernel update keeps booting the standard kernel, not {@code kernel-xen}.</li>
 * </ul>
 * Kernel command lines go through {@link KernelCmdline} for KVM. Running it again for the same
 * kernel adds nothing.
 */
public final class BootEntryWriter {

    static final String SYSCONFIG_KERNEL = "/etc/sysconfig/kernel";
    private static final Pattern GRUB2_LINUX = Pattern.compile("^(\\s*(?:linux|linux16|linuxefi)\\s+)(\\S+)(.*)$");
    private static final Pattern GRUB2_INITRD = Pattern.compile("^(\\s*(?:initrd|initrd16|initrdefi)\\s+)(\\S+)(.*)$");
    private static final Pattern ID = Pattern.compile("\\$menuentry_id_option\\s+'[^']*'");
    private static final Pattern TITLE = Pattern.compile("^(\\s*menuentry\\s+)('[^']*'|\"[^\"]*\"|\\S+)(.*)$");
    private static final Pattern LEGACY_CMD = Pattern.compile("^(\\s*)(kernel|initrd|module)(\\s+|\\s*=\\s*)(\\S+)(.*)$");
    private static final Pattern SYSCONFIG_VAR = Pattern.compile("^\\s*(DEFAULTKERNEL|UPDATEDEFAULT)=.*$");

    /**
     * A kernel installed into the guest.
     *
     * @param release     its release ({@code 6.1.0-27-cloud-amd64})
     * @param kernelPath  the kernel image in the guest ({@code /boot/vmlinuz-6.1.0-27-cloud-amd64})
     * @param initrdPath  its initramfs in the guest, or null when it boots without one
     * @param packageName the package it came from without version ({@code kernel}, {@code kernel-PAE},
     *                    {@code linux-image-6.1.0-27-cloud-amd64}), for {@code DEFAULTKERNEL} on RHEL; may be null
     */
    public record NewKernel(String release, String kernelPath, String initrdPath, String packageName) {
    }

    private BootEntryWriter() {
    }

    /**
     * Adds {@code k} to the guest's boot menus and makes it the default.
     *
     * @return notes for the user, one line each; those starting with {@link GuestEdit#WARNING} need attention
     * @throws IOException when the guest filesystem fails
     */
    public static List<String> addAndMakeDefault(GuestFileSystem fs, ConversionContext ctx, NewKernel k) throws IOException {
        List<String> notes = new ArrayList<>();
        boolean any = false;
        for (String p : GrubEdit.GRUB2_CONFIGS) {
            if (BootDefaults.isRegular(fs, p)) {
                any = true;
                grub2(fs, p, ctx, k, notes);
            }
        }
        for (String p : GrubEdit.LEGACY_CONFIGS) {
            if (BootDefaults.isRegular(fs, p)) {
                any = true;
                legacy(fs, p, ctx, k, notes);
            }
        }
        for (String p : GuestInspector.EXTLINUX_CONFIGS) {
            if (BootDefaults.isRegular(fs, p)) {
                any = true;
                extlinux(fs, p, ctx, k, notes);
            }
        }
        if (!any) {
            notes.add("no boot menu (GRUB, extlinux) in the guest; " + k.kernelPath() + " boots by direct kernel boot only");
        }
        if (ctx.guest().os().family() == OsFamily.RHEL && k.packageName() != null) {
            sysconfigKernel(fs, k.packageName(), notes);
        }
        return notes;
    }

    /** {@code /boot/vmlinuz-X} in a menu that says {@code /vmlinuz-Y} (a separate /boot): {@code /vmlinuz-X}. */
    static String menuPath(String templatePath, String guestPath) {
        String base = guestPath.substring(guestPath.lastIndexOf('/') + 1);
        int slash = templatePath.lastIndexOf('/');
        return slash < 0 ? base : templatePath.substring(0, slash + 1) + base;
    }

    private static String releaseOf(String kernelPath) {
        String base = kernelPath.substring(kernelPath.lastIndexOf('/') + 1);
        int dash = base.indexOf('-');
        return base.startsWith("vmlinu") && dash > 0 ? base.substring(dash + 1) : null;
    }

    private static String newTitle(String title, String oldRelease, String release) {
        if (oldRelease != null && title.contains(oldRelease)) {
            return title.replace(oldRelease, release);
        }
        return title + ", with Linux " + release;
    }

    private static String cmdline(String args, ConversionContext ctx) {
        KernelCmdline.Options full = new KernelCmdline.Options(true, false, ctx.serialConsole());
        return KernelCmdline.convert(args.strip(), ctx.deviceMap(), full).cmdline();
    }

    // ---- GRUB 2

    private static void grub2(GuestFileSystem fs, String path, ConversionContext ctx, NewKernel k, List<String> notes)
            throws IOException {
        String text = TextFiles.read(fs, path).orElseThrow();
        Grub2Menu menu = new Grub2Menu(text);
        String base = k.kernelPath().substring(k.kernelPath().lastIndexOf('/') + 1);
        Optional<Grub2Menu.Entry> existing = menu.entries.stream()
                .filter(e -> e.top() && e.kernel().endsWith("/" + base) && !e.recovery()).findFirst();
        if (existing.isEmpty()) {
            Grub2Menu before = menu;
            Optional<Grub2Menu.Entry> template = before.resolve(before.defaultValue().orElse("")).filter(Grub2Menu.Entry::top)
                    .or(() -> before.entries.stream().filter(e -> e.top() && !e.recovery()).findFirst());
            if (template.isEmpty()) {
                notes.add(GuestEdit.WARNING + path + ": no menu entry to copy; add one for " + k.kernelPath()
                        + " with update-grub in the guest");
                return;
            }
            List<String> lines = new ArrayList<>(menu.lines);
            List<String> block = grub2Block(menu.lines, template.get(), ctx, k);
            int at = menu.entries.stream().filter(Grub2Menu.Entry::top).mapToInt(Grub2Menu.Entry::firstLine).min()
                    .orElse(template.get().firstLine());
            // Submenus before the first entry would keep their index: insert before whatever comes first.
            for (String[] s : menu.submenus) {
                at = Math.min(at, firstLineOf(menu.lines, s[1]));
            }
            lines.addAll(at, block);
            String added = Grub2Menu.join(lines, text);
            Grub2Menu after = new Grub2Menu(added);
            existing = after.entries.stream().filter(e -> e.top() && e.kernel().endsWith("/" + base)).findFirst();
            if (existing.isEmpty()) {
                // The copied entry has no linux line GRUB would read (a malformed template): writing
                // it would leave a menu entry that boots nothing.
                notes.add(GuestEdit.WARNING + path + ": menu entry '" + template.get().title()
                        + "' has no linux line to copy; add one for " + k.kernelPath() + " with update-grub in the guest");
                return;
            }
            fs.writeText(path, added);
            notes.add(path + ": menu entry for " + k.release() + " added, copied from '" + template.get().title() + "'");
            text = added;
            menu = after;
        }
        Grub2Menu.Entry target = existing.orElseThrow();
        BootDefaults.grub2(fs, path, text, menu, target, stableTitle(menu, target, k), notes);
    }

    private static int firstLineOf(List<String> lines, String submenuTitle) {
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            if (t.startsWith("submenu") && t.contains(submenuTitle)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    /**
     * The title path update-grub will give the new kernel: in a Debian-style "Advanced options"
     * submenu, {@code <submenu>><entry of another kernel, release replaced>}; else the entry's own.
     */
    private static String stableTitle(Grub2Menu menu, Grub2Menu.Entry target, NewKernel k) {
        for (Grub2Menu.Entry e : menu.entries) {
            String old = releaseOf(e.kernel());
            if (!e.top() && !e.recovery() && old != null && e.title().contains(old)) {
                return e.titlePath().substring(0, e.titlePath().length() - e.title().length()) + e.title().replace(old, k.release());
            }
        }
        return BootDefaults.stableTitle(menu, target);
    }

    private static List<String> grub2Block(List<String> lines, Grub2Menu.Entry template, ConversionContext ctx, NewKernel k) {
        String old = releaseOf(template.kernel());
        List<String> out = new ArrayList<>();
        boolean sawInitrd = false;
        for (int i = template.firstLine(); i <= template.lastLine(); i++) {
            String line = lines.get(i);
            Matcher linux = GRUB2_LINUX.matcher(line);
            Matcher initrd = GRUB2_INITRD.matcher(line);
            if (i == template.firstLine()) {
                Matcher t = TITLE.matcher(line);
                String rest = t.matches() ? t.group(3) : "";
                rest = ID.matcher(rest).replaceFirst("\\$menuentry_id_option 'xen2kvm-" + Matcher.quoteReplacement(k.release()) + "'");
                line = (t.matches() ? t.group(1) : "menuentry ") + "'" + newTitle(template.title(), old, k.release())
                        .replace("'", "") + "'" + rest;
            } else if (linux.matches()) {
                line = linux.group(1) + menuPath(linux.group(2), k.kernelPath()) + " " + cmdline(linux.group(3), ctx);
            } else if (initrd.matches()) {
                sawInitrd = true;
                if (k.initrdPath() == null) {
                    continue;
                }
                line = initrd.group(1) + menuPath(initrd.group(2), k.initrdPath());
            } else if (old != null && line.contains(old)) {
                line = line.replace(old, k.release());
            }
            if (i == template.lastLine() && !sawInitrd && k.initrdPath() != null) {
                String kernelLine = out.stream().filter(l -> GRUB2_LINUX.matcher(l).matches()).findFirst().orElse("\tlinux /x");
                Matcher lm = GRUB2_LINUX.matcher(kernelLine);
                lm.matches();
                String indent = kernelLine.substring(0, kernelLine.length() - kernelLine.stripLeading().length());
                out.add(indent + "initrd\t" + menuPath(lm.group(2), k.initrdPath()));
            }
            out.add(line);
        }
        return out;
    }

    // ---- GRUB legacy

    private static void legacy(GuestFileSystem fs, String path, ConversionContext ctx, NewKernel k, List<String> notes)
            throws IOException {
        String text = TextFiles.read(fs, path).orElseThrow();
        List<String> lines = new ArrayList<>(TextFiles.lines(text));
        BootloaderInfo menu = GrubConfigs.parseLegacy(path, text);
        String base = k.kernelPath().substring(k.kernelPath().lastIndexOf('/') + 1);
        for (int i = 0; i < menu.entries().size(); i++) {
            String kp = menu.entries().get(i).kernelPath();
            if (kp.substring(kp.lastIndexOf('/') + 1).equals(base)) {
                if (i != menu.defaultEntry()) {
                    BootDefaults.legacy(fs, path, lines, i, 0, menu.entries().get(i).title(), notes);
                    fs.writeText(path, TextFiles.join(lines, text.endsWith("\n")));
                }
                return;
            }
        }
        List<int[]> blocks = legacyBlocks(lines);
        if (blocks.isEmpty()) {
            notes.add(GuestEdit.WARNING + path + ": no title to copy; add one for " + k.kernelPath() + " by hand");
            return;
        }
        int template = legacyTemplate(lines, blocks, menu.defaultEntry());
        int[] b = blocks.get(template);
        List<String> block = legacyBlock(lines.subList(b[0], b[1]), ctx, k);
        lines.addAll(blocks.get(0)[0], block);
        notes.add(path + ": title for " + k.release() + " added, copied from entry " + template);
        BootDefaults.legacy(fs, path, lines, 0, 1, block.get(0).strip().substring("title".length()).strip(), notes);
        fs.writeText(path, TextFiles.join(lines, text.endsWith("\n")));
    }

    /** [first line, end line) of each {@code title} block. */
    private static List<int[]> legacyBlocks(List<String> lines) {
        List<int[]> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().startsWith("title")) {
                if (start >= 0) {
                    out.add(new int[] {start, trimEnd(lines, start, i)});
                }
                start = i;
            }
        }
        if (start >= 0) {
            out.add(new int[] {start, trimEnd(lines, start, lines.size())});
        }
        return out;
    }

    /** Blank lines and comments between blocks belong to the next one (SUSE's YaST markers). */
    private static int trimEnd(List<String> lines, int start, int end) {
        int e = end;
        while (e > start + 1 && (lines.get(e - 1).isBlank() || lines.get(e - 1).strip().startsWith("#"))) {
            e--;
        }
        return e;
    }

    /** The default entry when it boots a kernel itself, else the first that does, else the default. */
    private static int legacyTemplate(List<String> lines, List<int[]> blocks, int dflt) {
        int d = Math.max(0, Math.min(dflt, blocks.size() - 1));
        if (!hypervisorEntry(lines, blocks.get(d)) && !xenKernelEntry(lines, blocks.get(d))) {
            return d;
        }
        for (int i = 0; i < blocks.size(); i++) {
            if (!hypervisorEntry(lines, blocks.get(i)) && !xenKernelEntry(lines, blocks.get(i))) {
                return i;
            }
        }
        return d;
    }

    private static boolean hypervisorEntry(List<String> lines, int[] b) {
        return lines.subList(b[0], b[1]).stream().anyMatch(l -> l.strip().startsWith("module"));
    }

    private static boolean xenKernelEntry(List<String> lines, int[] b) {
        return lines.subList(b[0], b[1]).stream().map(LEGACY_CMD::matcher)
                .anyMatch(m -> m.matches() && m.group(2).equals("kernel") && GrubEdit.xenOnly(m.group(4)));
    }

    /**
     * The new title block. From a Xen hypervisor entry ({@code kernel /xen.gz}, {@code module
     * /vmlinuz-X args}, {@code module /initrd-X}) the first module becomes the kernel line.
     */
    private static List<String> legacyBlock(List<String> template, ConversionContext ctx, NewKernel k) {
        boolean hypervisor = template.stream().anyMatch(l -> l.strip().startsWith("module"));
        List<String> out = new ArrayList<>();
        String old = null;
        int modules = 0;
        String kernelTemplate = null;
        for (String line : template) {
            Matcher m = LEGACY_CMD.matcher(line);
            if (!m.matches()) {
                continue;
            }
            boolean isKernel = hypervisor ? m.group(2).equals("module") && modules == 0 : m.group(2).equals("kernel");
            if (isKernel) {
                old = releaseOf(m.group(4));
                kernelTemplate = m.group(4);
            }
            if (m.group(2).equals("module")) {
                modules++;
            }
        }
        boolean initrdDone = false;
        modules = 0;
        for (String line : template) {
            String t = line.strip();
            Matcher m = LEGACY_CMD.matcher(line);
            if (t.startsWith("title")) {
                String title = t.substring("title".length()).strip();
                String indent = line.substring(0, line.indexOf("title"));
                out.add(indent + "title " + newTitle(title, old, k.release()));
            } else if (m.matches()) {
                String cmd = m.group(2);
                int moduleIndex = cmd.equals("module") ? modules++ : -1;
                if (hypervisor && cmd.equals("kernel")) {
                    continue;
                }
                boolean kernelLine = hypervisor ? moduleIndex == 0 : cmd.equals("kernel");
                boolean initrdLine = hypervisor ? moduleIndex == 1 : cmd.equals("initrd");
                if (kernelLine) {
                    out.add(m.group(1) + "kernel " + menuPath(m.group(4), k.kernelPath()) + " " + cmdline(m.group(5), ctx));
                } else if (initrdLine && k.initrdPath() != null && !initrdDone) {
                    initrdDone = true;
                    out.add(m.group(1) + "initrd " + menuPath(m.group(4), k.initrdPath()));
                }
            } else {
                out.add(line);
            }
        }
        if (!initrdDone && k.initrdPath() != null && kernelTemplate != null) {
            String indent = out.size() > 1 ? out.get(1).substring(0, out.get(1).length() - out.get(1).stripLeading().length()) : "\t";
            out.add(indent + "initrd " + menuPath(kernelTemplate, k.initrdPath()));
        }
        return out;
    }

    // ---- extlinux

    private static void extlinux(GuestFileSystem fs, String path, ConversionContext ctx, NewKernel k, List<String> notes)
            throws IOException {
        String text = TextFiles.read(fs, path).orElseThrow();
        BootloaderInfo menu = GrubConfigs.parseExtlinux(path, text);
        List<String> lines = new ArrayList<>(TextFiles.lines(text));
        String label = "xen2kvm-" + k.release();
        if (menu.entries().stream().anyMatch(e -> e.title().equals(label))) {
            if (!menu.defaultBootEntry().map(e -> e.title().equals(label)).orElse(false)) {
                BootDefaults.extlinux(lines, label);
                fs.writeText(path, TextFiles.join(lines, text.endsWith("\n")));
            }
            return;
        }
        if (menu.entries().isEmpty()) {
            notes.add(GuestEdit.WARNING + path + ": no label to copy; add one for " + k.kernelPath() + " by hand");
            return;
        }
        String templateLabel = menu.entries().get(Math.max(0, menu.defaultEntry())).title();
        int start = -1;
        int end = lines.size();
        int firstLabel = -1;
        for (int i = 0; i < lines.size(); i++) {
            String[] kv = lines.get(i).strip().split("\\s+", 2);
            if (kv[0].equalsIgnoreCase("label")) {
                firstLabel = firstLabel < 0 ? i : firstLabel;
                if (start >= 0) {
                    end = i;
                    break;
                }
                if (kv.length > 1 && kv[1].strip().equals(templateLabel)) {
                    start = i;
                }
            }
        }
        if (start < 0) {
            // The parsed default's title names no "label" line as written (a hostile or odd menu).
            notes.add(GuestEdit.WARNING + path + ": no label '" + templateLabel + "' to copy; add one for "
                    + k.kernelPath() + " by hand");
            return;
        }
        String old = releaseOf(menu.entries().get(Math.max(0, menu.defaultEntry())).kernelPath());
        List<String> block = new ArrayList<>();
        for (String line : lines.subList(start, end)) {
            String t = line.strip();
            String indent = line.substring(0, line.length() - line.stripLeading().length());
            String[] kv = t.split("\\s+", 2);
            String key = kv[0].toLowerCase(java.util.Locale.ROOT);
            String value = kv.length > 1 ? kv[1] : "";
            switch (key) {
                case "label" -> block.add(indent + kv[0] + " " + label);
                case "kernel", "linux" -> block.add(indent + kv[0] + " " + menuPath(value, k.kernelPath()));
                case "initrd" -> {
                    if (k.initrdPath() != null) {
                        block.add(indent + kv[0] + " " + menuPath(value, k.initrdPath()));
                    }
                }
                case "append" -> block.add(indent + kv[0] + " " + cmdline(value, ctx));
                default -> block.add(old != null && !t.isEmpty() ? line.replace(old, k.release()) : line);
            }
        }
        while (!block.isEmpty() && block.get(block.size() - 1).isBlank()) {
            block.remove(block.size() - 1);
        }
        lines.addAll(firstLabel, block);
        BootDefaults.extlinux(lines, label);
        fs.writeText(path, TextFiles.join(lines, text.endsWith("\n")));
        notes.add(path + ": label " + label + " added, copied from " + templateLabel + ", and made the default");
    }

    // ---- RHEL

    /** new-kernel-pkg and grubby make the kernel of DEFAULTKERNEL the default when UPDATEDEFAULT=yes. */
    private static void sysconfigKernel(GuestFileSystem fs, String packageName, List<String> notes) throws IOException {
        String text = TextFiles.read(fs, SYSCONFIG_KERNEL).orElse("");
        List<String> lines = new ArrayList<>(TextFiles.lines(text));
        boolean[] seen = new boolean[2];
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = SYSCONFIG_VAR.matcher(lines.get(i));
            if (m.matches()) {
                boolean dk = m.group(1).equals("DEFAULTKERNEL");
                seen[dk ? 0 : 1] = true;
                lines.set(i, dk ? "DEFAULTKERNEL=" + packageName : "UPDATEDEFAULT=yes");
            }
        }
        if (!seen[1]) {
            lines.add("UPDATEDEFAULT=yes");
        }
        if (!seen[0]) {
            lines.add("DEFAULTKERNEL=" + packageName);
        }
        String result = TextFiles.join(lines, true);
        if (!result.equals(text)) {
            fs.mkdirs("/etc/sysconfig");
            fs.writeText(SYSCONFIG_KERNEL, result);
            notes.add(SYSCONFIG_KERNEL + ": DEFAULTKERNEL=" + packageName + ", UPDATEDEFAULT=yes");
        }
    }
}
