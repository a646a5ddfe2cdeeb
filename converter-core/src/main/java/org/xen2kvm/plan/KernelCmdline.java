package org.xen2kvm.plan;

import org.xen2kvm.plan.DeviceMap;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Converts a Xen guest's kernel command line for KVM, for bootloader menus and for a
 * direct kernel boot alike.
 *
 * <ul>
 * <li>{@code root=} and {@code resume=} naming a Xen device are translated by the {@link DeviceMap};
 *     {@code UUID=}, {@code LABEL=} and LVM paths are left alone.</li>
 * <li>Xen consoles ({@code console=hvc0}, {@code console=xvc0}) are removed and the serial
 *     console is put LAST, because the last {@code console=} becomes {@code /dev/console}
 *     (kernel Documentation/admin-guide/serial-console.rst), where init's messages and a
 *     systemd emergency shell go. When no graphical console remains, {@code console=tty0}
 *     is put before it so the VGA screen shows the kernel messages too.</li>
 * <li>Arguments that only make sense on Xen are dropped ({@code xencons=}, {@code clocksource=xen}, ...).</li>
 * </ul>
 */
public final class KernelCmdline {

    public static final int SERIAL_SPEED = 115200;
    private static final Pattern XEN_CONSOLE = Pattern.compile("(hvc|xvc)[0-9]+(,.*)?");
    private static final Pattern SERIAL_CONSOLE = Pattern.compile("ttyS[0-9]+(,.*)?");
    private static final Pattern XEN_DEVICE = Pattern.compile("/dev/(xvd|hd|sd)[a-z]+[0-9]*");
    private static final List<String> XEN_ONLY_PREFIXES = List.of(
            "xencons=", "xen_emul_unplug=", "xen_blkfront.", "xen_netfront.", "xen-blkfront.", "xen-netfront.");
    private static final List<String> XEN_ONLY_ARGS = List.of("clocksource=xen", "xen_pv_hvm=enable");

    /**
     * @param ensureSerial  put {@code console=<serial>} last (false for a fragment such as
     *                      {@code GRUB_CMDLINE_LINUX_DEFAULT} that is appended to another)
     * @param netIfnamesOff add {@code net.ifnames=0}
     * @param serialConsole the serial device, {@code ttyS0}
     */
    public record Options(boolean ensureSerial, boolean netIfnamesOff, String serialConsole) {
        public static final Options DEFAULT = new Options(true, false, "ttyS0");
    }

    /** The converted line and what needs the user's attention. */
    public record Result(String cmdline, List<String> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

    private KernelCmdline() {
    }

    /** Converts with {@link Options#DEFAULT}. */
    public static String convert(String xenCmdline, DeviceMap map) {
        return convert(xenCmdline, map, Options.DEFAULT).cmdline();
    }

    public static Result convert(String xenCmdline, DeviceMap map, Options opts) {
        List<String> warnings = new ArrayList<>();
        List<String> out = new ArrayList<>();
        String serial = null;
        boolean hadXenConsole = false;
        boolean hasIfnames = false;
        for (String arg : split(xenCmdline)) {
            if (arg.startsWith("console=")) {
                String dev = arg.substring("console=".length());
                if (XEN_CONSOLE.matcher(dev).matches()) {
                    hadXenConsole = true;
                    continue;
                }
                if (SERIAL_CONSOLE.matcher(dev).matches() && dev.startsWith(opts.serialConsole())
                        && (dev.length() == opts.serialConsole().length() || dev.charAt(opts.serialConsole().length()) == ',')) {
                    serial = arg;
                    continue;
                }
                out.add(arg);
                continue;
            }
            if (XEN_ONLY_ARGS.contains(arg) || XEN_ONLY_PREFIXES.stream().anyMatch(arg::startsWith)) {
                continue;
            }
            if (arg.startsWith("root=") || arg.startsWith("resume=")) {
                out.add(translateDeviceArg(arg, map, warnings));
                continue;
            }
            if (arg.startsWith("net.ifnames=")) {
                hasIfnames = true;
            }
            out.add(arg);
        }
        if (opts.netIfnamesOff() && !hasIfnames) {
            out.add("net.ifnames=0");
        }
        if (opts.ensureSerial() || serial != null || hadXenConsole) {
            boolean screenConsole = out.stream().anyMatch(a -> a.startsWith("console=") && !a.startsWith("console=ttyS"));
            if (!screenConsole && opts.ensureSerial()) {
                out.add("console=tty0");
            }
            if (opts.ensureSerial() || serial != null) {
                out.add(serial != null ? serial : "console=" + opts.serialConsole() + "," + SERIAL_SPEED);
            }
        }
        return new Result(String.join(" ", out), warnings);
    }

    private static String translateDeviceArg(String arg, DeviceMap map, List<String> warnings) {
        int eq = arg.indexOf('=');
        String key = arg.substring(0, eq);
        String value = arg.substring(eq + 1);
        if (!value.startsWith("/dev/")) {
            return arg;
        }
        var t = map.translate(value);
        if (t.isPresent()) {
            return key + "=" + t.get();
        }
        if (XEN_DEVICE.matcher(value).matches()) {
            warnings.add(key + "=" + value + " names no disk of this guest; left unchanged");
        }
        return arg;
    }

    /** Splits on blanks outside double quotes, as the kernel's next_arg() does. */
    public static List<String> split(String cmdline) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < cmdline.length(); i++) {
            char c = cmdline.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (!quoted && Character.isWhitespace(c)) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }
}
