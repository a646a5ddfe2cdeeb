package org.xen2kvm.edit;

import org.xen2kvm.plan.KernelCmdline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.BootloaderInfo;
import org.xen2kvm.guest.BootloaderKind;
import org.xen2kvm.guest.GrubConfigs;
import org.xen2kvm.guest.TextFiles;

/**
 * Converts the kernel command lines of the guest's GRUB (and extlinux) menus with {@link KernelCmdline},
 * and {@code /etc/default/grub} so a later {@code update-grub}/{@code grub2-mkconfig}
 * generates the same. GRUB's own device names ({@code set root='hd0,msdos1'},
 * {@code root (hd0,0)}, {@code search}) name BIOS disks, which stay in the same order, so
 * they are left alone. In a GRUB legacy menu whose default entry is a Xen-only kernel
 * (RHEL5 {@code -xen}), the default moves to the first entry that can boot on KVM.
 */
public final class GrubEdit implements GuestEdit {

    public static final List<String> GRUB2_CONFIGS = List.of("/boot/grub/grub.cfg", "/boot/grub2/grub.cfg");
    public static final List<String> LEGACY_CONFIGS = List.of("/boot/grub/grub.conf", "/boot/grub/menu.lst");
    public static final String DEFAULT_GRUB = "/etc/default/grub";

    /** indent, command, blanks, kernel path, then the arguments. */
    private static final Pattern GRUB2_LINUX = Pattern.compile("^(\\s*(?:linux|linux16|linuxefi)\\s+\\S+)(.*)$");
    private static final Pattern LEGACY_KERNEL = Pattern.compile("^(\\s*kernel(?:\\s+|\\s*=\\s*)\\S+)(.*)$");
    private static final Pattern LEGACY_MODULE = Pattern.compile("^(\\s*module(?:\\s+|\\s*=\\s*)\\S+)(.*)$");
    /** GRUB legacy commands that set up its terminal: when the menu has one, the user chose it. */
    private static final Pattern LEGACY_TERMINAL = Pattern.compile("^\\s*(?:serial|terminal)(?:\\s.*)?$");
    private static final Pattern LEGACY_SPLASH = Pattern.compile("^\\s*splashimage(?:\\s|=).*$");
    /** GRUB legacy's serial line and a menu on both terminals, the first to get a key within 5 s wins. */
    static final List<String> LEGACY_SERIAL_LINES = List.of(
            "serial --unit=0 --speed=" + KernelCmdline.SERIAL_SPEED,
            "terminal --timeout=5 serial console");
    /** extlinux.conf(5)-style {@code APPEND} line, keyword case-insensitive. */
    private static final Pattern EXTLINUX_APPEND = Pattern.compile("^(\\s*(?i:append))(\\s+.*)$");
    /**
     * Debian's legacy update-grub takes the options for new kernels from this magic comment.
     * {@code altoptions} are appended to it and {@code xenkopt} is for a Xen dom0, so they stay.
     */
    private static final Pattern LEGACY_MAGIC = Pattern.compile("^(#\\s*kopt=)(.*)$");
    private static final Pattern LEGACY_DEFAULT = Pattern.compile("^(\\s*default(?:\\s*=\\s*|\\s+))([0-9]+)(\\s*)$");
    private static final Pattern DEFAULT_VAR = Pattern.compile("^(\\s*(?:export\\s+)?)(GRUB_CMDLINE_LINUX(?:_DEFAULT)?)=(.*)$");
    private static final String SERIAL_COMMAND = "serial --speed=" + KernelCmdline.SERIAL_SPEED + " --unit=0 --word=8 --parity=no --stop=1";

    @Override
    public String name() {
        return "grub";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        KernelCmdline.Options full = new KernelCmdline.Options(true, false, ctx.serialConsole());
        boolean any = false;
        for (String p : GRUB2_CONFIGS) {
            if (isRegular(fs, p)) {
                any = true;
                editMenu(fs, p, GRUB2_LINUX, ctx, full, notes);
            }
        }
        for (String p : LEGACY_CONFIGS) {
            // menu.lst is often a symlink to grub.conf: edit the file once.
            if (isRegular(fs, p)) {
                any = true;
                unwrapHypervisorEntries(fs, p, notes);
                editMenu(fs, p, LEGACY_KERNEL, ctx, full, notes);
                legacySerialTerminal(fs, p, notes);
                fixLegacyDefault(fs, p, notes);
            }
        }
        for (String p : org.xen2kvm.guest.GuestInspector.EXTLINUX_CONFIGS) {
            if (isRegular(fs, p)) {
                any = true;
                editMenu(fs, p, EXTLINUX_APPEND, ctx, full, notes);
            }
        }
        if (isRegular(fs, DEFAULT_GRUB)) {
            any = true;
            editDefaultGrub(fs, ctx, notes);
        }
        if (!any) {
            notes.add("no boot menu (GRUB, extlinux) found; the kernel command line must be given by a direct kernel boot");
        }
        return notes;
    }

    private static boolean isRegular(GuestFileSystem fs, String path) throws IOException {
        return fs.lstat(path).map(i -> i.type() == FileType.REGULAR).orElse(false);
    }

    private static void editMenu(GuestFileSystem fs, String path, Pattern kernelLine, ConversionContext ctx,
            KernelCmdline.Options opts, List<String> notes) throws IOException {
        String text = TextFiles.read(fs, path).orElseThrow();
        List<String> out = new ArrayList<>();
        List<String> lines = TextFiles.lines(text);
        int changed = 0;
        boolean legacy = kernelLine == LEGACY_KERNEL;
        // In a hypervisor entry the kernel line is Xen's and its first module is Linux.
        boolean linuxModuleNext = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int lineNo = i + 1;
            Matcher m = kernelLine.matcher(line);
            Matcher magic = LEGACY_MAGIC.matcher(line);
            Matcher module = LEGACY_MODULE.matcher(line);
            String converted = line;
            if (legacy && line.strip().startsWith("title")) {
                linuxModuleNext = false;
            }
            if (legacy && m.matches() && XenHypervisorEntries.isHypervisor(m.group(1).strip().split("[\\s=]+", 2)[1])) {
                linuxModuleNext = true;
            } else if (legacy && linuxModuleNext && module.matches()) {
                linuxModuleNext = false;
                KernelCmdline.Result r = KernelCmdline.convert(module.group(2), ctx.deviceMap(), opts);
                converted = module.group(1) + (r.cmdline().isEmpty() ? "" : " " + r.cmdline());
                r.warnings().forEach(w -> notes.add(WARNING + path + " line " + lineNo + ": " + w));
            } else if (m.matches()) {
                KernelCmdline.Result r = KernelCmdline.convert(m.group(2), ctx.deviceMap(), opts);
                converted = m.group(1) + (r.cmdline().isEmpty() ? "" : " " + r.cmdline());
                r.warnings().forEach(w -> notes.add(WARNING + path + " line " + lineNo + ": " + w));
            } else if (magic.matches() && kernelLine == LEGACY_KERNEL) {
                KernelCmdline.Result r = KernelCmdline.convert(magic.group(2), ctx.deviceMap(), opts);
                converted = magic.group(1) + r.cmdline();
            }
            if (!converted.equals(line)) {
                changed++;
            }
            out.add(converted);
        }
        String result = TextFiles.join(out, text.endsWith("\n"));
        if (!result.equals(text)) {
            fs.writeText(path, result);
            notes.add(path + ": " + changed + " kernel command line(s) converted");
        }
    }

    private static void unwrapHypervisorEntries(GuestFileSystem fs, String path, List<String> notes) throws IOException {
        String text = TextFiles.read(fs, path).orElseThrow();
        List<String> out = XenHypervisorEntries.unwrap(path, TextFiles.lines(text), notes);
        String result = TextFiles.join(out, text.endsWith("\n"));
        if (!result.equals(text)) {
            fs.writeText(path, result);
        }
    }

    /**
     * Gives a legacy menu the serial terminal, before the first entry, unless it sets up its
     * terminal already; a {@code splashimage} is commented out, because Red Hat's GRUB then
     * draws the menu in graphics mode, which a serial line cannot show.
     */
    private static void legacySerialTerminal(GuestFileSystem fs, String path, List<String> notes) throws IOException {
        String text = TextFiles.read(fs, path).orElseThrow();
        List<String> lines = new ArrayList<>(TextFiles.lines(text));
        int firstTitle = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().startsWith("title")) {
                firstTitle = i;
                break;
            }
            if (LEGACY_TERMINAL.matcher(lines.get(i)).matches()) {
                return;
            }
        }
        for (int i = 0; i < firstTitle; i++) {
            if (LEGACY_SPLASH.matcher(lines.get(i)).matches()) {
                lines.set(i, "#" + lines.get(i));
                notes.add(path + " line " + (i + 1) + ": splashimage commented out (a graphical menu cannot be shown on"
                        + " the serial console)");
            }
        }
        // Not between an entry and the comments that belong to it (YaST's identifiers), and
        // above Debian's automagic list, which update-grub rewrites.
        int at = firstTitle;
        while (at > 0 && lines.get(at - 1).strip().startsWith("#")) {
            at--;
        }
        for (int i = 0; i < firstTitle; i++) {
            if (lines.get(i).strip().startsWith("### BEGIN AUTOMAGIC KERNELS LIST")) {
                at = Math.min(at, i);
            }
        }
        boolean atEnd = at == lines.size();
        lines.addAll(at, LEGACY_SERIAL_LINES);
        fs.writeText(path, TextFiles.join(lines, text.endsWith("\n") || atEnd));
        notes.add(path + ": GRUB menu on the serial console and the screen (" + String.join("; ", LEGACY_SERIAL_LINES) + ")");
    }

    /** Moves a legacy {@code default=N} off a Xen-only kernel. */
    private static void fixLegacyDefault(GuestFileSystem fs, String path, List<String> notes) throws IOException {
        String text = TextFiles.read(fs, path).orElseThrow();
        BootloaderInfo menu = GrubConfigs.parseLegacy(path, text);
        if (menu.defaultEntry() < 0 || !xenOnly(menu.entries().get(menu.defaultEntry()).kernelPath())) {
            return;
        }
        int replacement = -1;
        for (int i = 0; i < menu.entries().size(); i++) {
            if (!xenOnly(menu.entries().get(i).kernelPath())) {
                replacement = i;
                break;
            }
        }
        if (replacement < 0) {
            notes.add(WARNING + path + ": every kernel is Xen-only (" + menu.entries().get(menu.defaultEntry()).kernelPath()
                    + "); install a normal kernel in the guest before converting, it cannot boot on KVM");
            return;
        }
        List<String> lines = new ArrayList<>(TextFiles.lines(text));
        boolean done = false;
        for (int i = 0; i < lines.size() && !done; i++) {
            Matcher m = LEGACY_DEFAULT.matcher(lines.get(i));
            if (m.matches()) {
                lines.set(i, m.group(1) + replacement + m.group(3));
                done = true;
            } else if (lines.get(i).strip().startsWith("title")) {
                break;
            }
        }
        if (!done) {
            lines.add(0, "default=" + replacement);
        }
        fs.writeText(path, TextFiles.join(lines, text.endsWith("\n")));
        notes.add(path + ": default entry " + menu.defaultEntry() + " boots a Xen-only kernel; now entry "
                + replacement + " (" + menu.entries().get(replacement).title() + ")");
    }

    /** A kernel that boots only on Xen: RHEL 5 / SLES {@code -xen}, or the hypervisor itself. */
    static boolean xenOnly(String kernelPath) {
        String name = kernelPath.substring(kernelPath.lastIndexOf('/') + 1);
        return name.endsWith("xen") || XenHypervisorEntries.isHypervisor(kernelPath);
    }

    private static void editDefaultGrub(GuestFileSystem fs, ConversionContext ctx, List<String> notes) throws IOException {
        String text = TextFiles.read(fs, DEFAULT_GRUB).orElseThrow();
        List<String> lines = new ArrayList<>(TextFiles.lines(text));
        boolean hasLinux = false;
        boolean hasTerminal = false;
        boolean hasSerialCommand = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String t = line.strip();
            hasTerminal |= t.startsWith("GRUB_TERMINAL=") || t.startsWith("GRUB_TERMINAL_OUTPUT=");
            hasSerialCommand |= t.startsWith("GRUB_SERIAL_COMMAND=");
            Matcher m = DEFAULT_VAR.matcher(line);
            if (!m.matches()) {
                continue;
            }
            boolean linux = m.group(2).equals("GRUB_CMDLINE_LINUX");
            hasLinux |= linux;
            String raw = m.group(3).strip();
            char quote = raw.length() >= 2 && (raw.charAt(0) == '"' || raw.charAt(0) == '\'')
                    && raw.charAt(raw.length() - 1) == raw.charAt(0) ? raw.charAt(0) : 0;
            if (quote == 0 && raw.matches(".*[\\s\"'$`].*")) {
                notes.add(WARNING + DEFAULT_GRUB + " line " + (i + 1) + ": " + m.group(2)
                        + " is not a simple quoted value; left unchanged, check it by hand");
                continue;
            }
            String value = quote == 0 ? raw : raw.substring(1, raw.length() - 1);
            KernelCmdline.Options opts = new KernelCmdline.Options(linux, false, ctx.serialConsole());
            KernelCmdline.Result r = KernelCmdline.convert(value, ctx.deviceMap(), opts);
            char q = quote == 0 ? '"' : quote;
            lines.set(i, m.group(1) + m.group(2) + "=" + q + r.cmdline() + q);
        }
        if (!hasLinux) {
            lines.add("GRUB_CMDLINE_LINUX=\"" + KernelCmdline.convert("", ctx.deviceMap()) + "\"");
        }
        if (!hasTerminal) {
            lines.add("# xen2kvm: GRUB menu on both the screen and the serial console");
            lines.add("GRUB_TERMINAL=\"console serial\"");
        }
        if (!hasSerialCommand && !hasTerminal) {
            lines.add("GRUB_SERIAL_COMMAND=\"" + SERIAL_COMMAND + "\"");
        }
        String result = TextFiles.join(lines, true);
        if (!result.equals(text)) {
            fs.writeText(DEFAULT_GRUB, result);
            notes.add(DEFAULT_GRUB + ": command line and terminal set for KVM (used by the next update-grub)");
        }
    }
}
