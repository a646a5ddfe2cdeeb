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
import org.xen2kvm.guest.InitSystem;
import org.xen2kvm.guest.TextFiles;

/**
 * Gives the guest a login prompt on the serial console instead of the Xen console:
 * systemd's {@code serial-getty@ttyS0} enabled and the Xen gettys disabled (they would wait
 * for a device that never appears), SysV {@code inittab} gettys moved to the serial port,
 * upstart's {@code hvc0.conf} job replaced, and {@code ttyS0} allowed in {@code /etc/securetty}
 * so root may log in there.
 */
public final class ConsoleEdit implements GuestEdit {

    public static final String WANTS = "/etc/systemd/system/getty.target.wants";
    public static final String INITTAB = "/etc/inittab";
    public static final String SECURETTY = "/etc/securetty";
    public static final String SYSCONFIG_INIT = "/etc/sysconfig/init";
    /** RHEL 6 initscripts' default. */
    static final String DEFAULT_ACTIVE_CONSOLES = "/dev/tty[1-6]";
    /** {@code ACTIVE_CONSOLES="/dev/tty[1-6] /dev/hvc0"}: prefix, quote, devices, (the same quote,) the rest. */
    private static final Pattern ACTIVE_CONSOLES = Pattern.compile("^(\\s*ACTIVE_CONSOLES=)([\"']?)([^\"'#]*)\\2(\\s*(?:#.*)?)$");
    private static final Pattern XEN_CONSOLE_DEVICE = Pattern.compile("(?:/dev/)?(?:hvc|xvc)[0-9]+");
    private static final List<String> UNIT_DIRS = List.of("/lib/systemd/system", "/usr/lib/systemd/system");
    private static final Pattern XEN_TTY = Pattern.compile("\\b(hvc|xvc)[0-9]+\\b");
    private static final Pattern XEN_GETTY_UNIT = Pattern.compile("(?:serial-)?getty@(?:hvc|xvc)[0-9]+\\.service");
    /** inittab(5): id:runlevels:action:process. */
    private static final Pattern INITTAB_LINE = Pattern.compile("^([^:#]{1,4}):([^:]*):([^:]*):(.*)$");
    private static final Pattern GETTY_PROCESS = Pattern.compile("^(\\S*(?:getty|mingetty|agetty))(\\s.*)?$");

    @Override
    public String name() {
        return "console";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        String tty = ctx.serialConsole();
        InitSystem init = ctx.guest().initSystem();
        if (init == InitSystem.SYSTEMD) {
            systemd(fs, tty, notes);
        }
        if (init == InitSystem.UPSTART) {
            upstart(fs, tty, notes);
        }
        if (init == InitSystem.SYSVINIT || isFile(fs, INITTAB)) {
            inittab(fs, tty, init == InitSystem.SYSVINIT, notes);
        }
        sysconfigInit(fs, notes);
        securetty(fs, tty, notes);
        return notes;
    }

    /**
     * RHEL 6's upstart starts a {@code mingetty} on each {@code ACTIVE_CONSOLES} device of
     * {@code /etc/sysconfig/init}; an administrator of a Xen guest may have added {@code /dev/hvc0}
     * there. On KVM that getty would wait for a device that never appears, and the serial
     * console needs none of it: {@code /etc/init/serial.conf} starts {@code agetty} on the
     * console the kernel was given ({@code console=ttyS0,115200}) and adds it to securetty.
     */
    private static void sysconfigInit(GuestFileSystem fs, List<String> notes) throws IOException {
        Optional<String> text = TextFiles.read(fs, SYSCONFIG_INIT);
        if (text.isEmpty()) {
            return;
        }
        List<String> lines = new ArrayList<>(TextFiles.lines(text.get()));
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = ACTIVE_CONSOLES.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            List<String> kept = new ArrayList<>();
            List<String> dropped = new ArrayList<>();
            for (String dev : m.group(3).strip().split("\\s+")) {
                (XEN_CONSOLE_DEVICE.matcher(dev).matches() ? dropped : kept).add(dev);
            }
            if (dropped.isEmpty()) {
                continue;
            }
            String value = kept.isEmpty() ? DEFAULT_ACTIVE_CONSOLES : String.join(" ", kept);
            String quote = m.group(2).isEmpty() && value.contains(" ") ? "\"" : m.group(2);
            lines.set(i, m.group(1) + quote + value + quote + m.group(4));
            notes.add(SYSCONFIG_INIT + " line " + (i + 1) + ": " + String.join(" ", dropped) + " removed from ACTIVE_CONSOLES"
                    + " (the serial console gets its getty from /etc/init/serial.conf)");
        }
        String result = TextFiles.join(lines, text.get().endsWith("\n"));
        if (!result.equals(text.get())) {
            fs.writeText(SYSCONFIG_INIT, result);
        }
    }

    private static boolean isFile(GuestFileSystem fs, String path) throws IOException {
        return fs.stat(path).map(i -> i.type() == FileType.REGULAR).orElse(false);
    }

    private static void systemd(GuestFileSystem fs, String tty, List<String> notes) throws IOException {
        List<String> capped = new ArrayList<>();
        List<String> wanted = TextFiles.listIfDir(fs, WANTS, capped);
        capped.forEach(w -> notes.add(WARNING + w));
        for (String n : wanted) {
            if (XEN_GETTY_UNIT.matcher(n).matches()) {
                fs.delete(WANTS + "/" + n);
                notes.add("disabled " + n + " (Xen console)");
            }
        }
        String unit = "serial-getty@" + tty + ".service";
        if (fs.lstat(WANTS + "/" + unit).isPresent()) {
            return;
        }
        Optional<String> template = Optional.empty();
        for (String dir : UNIT_DIRS) {
            if (isFile(fs, dir + "/serial-getty@.service")) {
                template = Optional.of(dir + "/serial-getty@.service");
                break;
            }
        }
        if (template.isEmpty()) {
            notes.add(WARNING + "serial-getty@.service not found in " + UNIT_DIRS
                    + "; relying on systemd's getty generator for the console " + tty);
            return;
        }
        fs.mkdirs(WANTS);
        fs.symlink(WANTS + "/" + unit, template.get());
        notes.add("enabled " + unit);
    }

    private static void upstart(GuestFileSystem fs, String tty, List<String> notes) throws IOException {
        List<String> capped = new ArrayList<>();
        List<String> jobs = TextFiles.listIfDir(fs, "/etc/init", capped);
        capped.forEach(w -> notes.add(WARNING + w));
        for (String n : jobs) {
            Matcher m = XEN_TTY.matcher(n);
            if (!n.endsWith(".conf") || !m.find() || !n.equals(m.group() + ".conf")) {
                continue;
            }
            String old = "/etc/init/" + n;
            String fresh = "/etc/init/" + tty + ".conf";
            if (!fs.exists(fresh)) {
                String job = TextFiles.read(fs, old).orElse("");
                String text = job.replace(m.group(), tty).replaceAll("\\b(38400|9600)\\b", Integer.toString(KernelCmdline.SERIAL_SPEED));
                if (!text.contains(tty)) {
                    text = "start on stopped rc RUNLEVEL=[2345]\nstop on runlevel [!2345]\nrespawn\nexec /sbin/getty -L "
                            + KernelCmdline.SERIAL_SPEED + " " + tty + " vt102\n";
                }
                fs.writeText(fresh, text);
            }
            fs.delete(old);
            notes.add("upstart job " + old + " replaced by " + fresh);
        }
    }

    private static void inittab(GuestFileSystem fs, String tty, boolean sysv, List<String> notes) throws IOException {
        Optional<String> text = TextFiles.read(fs, INITTAB);
        if (text.isEmpty()) {
            if (sysv) {
                notes.add(WARNING + INITTAB + " missing; no getty on " + tty);
            }
            return;
        }
        List<String> lines = new ArrayList<>(TextFiles.lines(text.get()));
        boolean hasSerial = false;
        boolean hasGetty = false;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = INITTAB_LINE.matcher(lines.get(i));
            if (lines.get(i).strip().startsWith("#") || !m.matches()) {
                continue;
            }
            ids.add(m.group(1));
            Matcher g = GETTY_PROCESS.matcher(m.group(4).strip());
            if (!g.matches()) {
                continue;
            }
            hasGetty = true;
            String process = m.group(4);
            if (XEN_TTY.matcher(process).find()) {
                lines.set(i, m.group(1) + ":" + m.group(2) + ":" + m.group(3) + ":" + serialGetty(g.group(1), tty));
                notes.add(INITTAB + " line " + (i + 1) + ": getty moved from the Xen console to " + tty);
                hasSerial = true;
            } else if (process.matches(".*\\b" + Pattern.quote(tty) + "\\b.*")) {
                hasSerial = true;
            }
        }
        if (!hasSerial && hasGetty) {
            String id = "S0";
            for (int n = 0; ids.contains(id) && n < 100; n++) {
                id = "x" + n;
            }
            lines.add(id + ":2345:respawn:" + serialGetty("/sbin/agetty", tty));
            notes.add(INITTAB + ": getty added on " + tty);
        }
        String result = TextFiles.join(lines, true);
        if (!result.equals(text.get())) {
            fs.writeText(INITTAB, result);
        }
    }

    /** mingetty cannot drive a serial line, so every serial getty becomes agetty. */
    private static String serialGetty(String program, String tty) {
        String dir = program.contains("/") ? program.substring(0, program.lastIndexOf('/') + 1) : "/sbin/";
        return dir + "agetty " + tty + " " + KernelCmdline.SERIAL_SPEED + " vt100";
    }

    private static void securetty(GuestFileSystem fs, String tty, List<String> notes) throws IOException {
        Optional<String> text = TextFiles.read(fs, SECURETTY);
        if (text.isEmpty()) {
            return;
        }
        for (String line : TextFiles.lines(text.get())) {
            if (line.strip().equals(tty)) {
                return;
            }
        }
        String t = text.get();
        fs.writeText(SECURETTY, t + (t.isEmpty() || t.endsWith("\n") ? "" : "\n") + tty + "\n");
        notes.add(SECURETTY + ": " + tty + " added so root may log in on the serial console");
    }
}
