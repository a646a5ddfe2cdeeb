package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.InitSystem;
import org.xen2kvm.guest.TextFiles;

/**
 * Keeps each NIC's Xen interface name on KVM, so the guest's existing network configuration
 * applies to the virtio NIC unchanged.
 *
 * <p>On Xen, netfront NICs are named {@code eth0}, {@code eth1}... (or {@code enX0} by
 * recent systemd). On KVM, systemd/udev would name a virtio NIC by its PCI slot
 * ({@code enp1s0}) and the configuration for {@code eth0} would not apply. The conversion
 * keeps every NIC's MAC address, so for systemd guests this edit writes one
 * {@code /etc/systemd/network/10-xen2kvm-<name>.link} per NIC matching the MAC and setting
 * the old name (systemd.link(5); the lowest-sorting matching file wins over the
 * distribution's {@code 99-default.link}). The kernel command line is not touched.
 * Older guests without systemd name NICs {@code ethN} in probe order, which the PCI order
 * keeps; there the edit checks that {@code ifcfg} {@code HWADDR=} and udev's
 * {@code 70-persistent-net.rules} agree with the kept MACs and drops Xen driver matches
 * from those rules.
 */
public final class NetworkEdit implements GuestEdit {

    public static final String LINK_DIR = "/etc/systemd/network";
    public static final String PERSISTENT_RULES = "/etc/udev/rules.d/70-persistent-net.rules";
    private static final List<String> IFCFG_DIRS = List.of("/etc/sysconfig/network-scripts", "/etc/sysconfig/network");
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern HWADDR = Pattern.compile("^\\s*(?:HWADDR|LLADDR)=[\"']?([0-9A-Fa-f:]{17})[\"']?\\s*$");
    /** udev rule match on a Xen netfront driver, which the virtio NIC would never satisfy. */
    private static final Pattern XEN_DRIVER_MATCH = Pattern.compile("DRIVERS==\"(?:vif|xen-netfront|xen_netfront|netfront)\"");
    private static final Pattern RULE_MAC = Pattern.compile("ATTR\\{address\\}==\"([0-9A-Fa-f:]{17})\"");

    @Override
    public String name() {
        return "network";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        for (String mac : ctx.nicMacs()) {
            if (!MAC.matcher(mac).matches()) {
                notes.add(WARNING + "NIC MAC '" + mac + "' is not a lower-case MAC address; interface names not pinned");
                return notes;
            }
        }
        List<String> names = interfaceNames(ctx.guest().network().interfaces(), ctx.nicMacs().size());
        if (ctx.guest().initSystem() == InitSystem.SYSTEMD) {
            writeLinkFiles(fs, ctx.nicMacs(), names, notes);
        }
        checkIfcfg(fs, ctx.nicMacs(), notes);
        fixPersistentRules(fs, ctx.nicMacs(), notes);
        if (ctx.nicMacs().isEmpty()) {
            notes.add("guest has no NIC");
        }
        return notes;
    }

    /**
     * The name each NIC had on Xen: {@code eth<i>} or {@code enX<i>} when the guest configures
     * that name, else a configured name not of that form (in order), else {@code eth<i>}.
     */
    static List<String> interfaceNames(List<String> configured, int nics) {
        List<String> others = new ArrayList<>();
        for (String c : configured) {
            if (!c.matches("(eth|enX)[0-9]+")) {
                others.add(c);
            }
        }
        List<String> out = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (int i = 0; i < nics; i++) {
            String name = "eth" + i;
            if (!configured.contains(name) && configured.contains("enX" + i)) {
                name = "enX" + i;
            } else if (!configured.contains(name) && !others.isEmpty()) {
                name = others.remove(0);
            }
            if (!used.add(name)) {
                name = "eth" + i;
                used.add(name);
            }
            out.add(name);
        }
        return out;
    }

    private static void writeLinkFiles(GuestFileSystem fs, List<String> macs, List<String> names, List<String> notes)
            throws IOException {
        for (int i = 0; i < macs.size(); i++) {
            String path = LINK_DIR + "/10-xen2kvm-" + names.get(i) + ".link";
            String text = "# Written by xen2kvm: the NIC keeps the name it had on Xen, so the existing\n"
                    + "# network configuration applies to it on KVM (systemd.link(5)).\n"
                    + "[Match]\n"
                    + "MACAddress=" + macs.get(i) + "\n"
                    + "\n"
                    + "[Link]\n"
                    + "Name=" + names.get(i) + "\n";
            if (text.equals(TextFiles.read(fs, path).orElse(null))) {
                continue;
            }
            fs.mkdirs(LINK_DIR);
            fs.writeText(path, text);
            notes.add(path + ": NIC " + macs.get(i) + " keeps the name " + names.get(i));
        }
    }

    private static void checkIfcfg(GuestFileSystem fs, List<String> macs, List<String> notes) throws IOException {
        for (String dir : IFCFG_DIRS) {
            List<String> capped = new ArrayList<>();
            List<String> names = TextFiles.listIfDir(fs, dir, capped);
            capped.forEach(w -> notes.add(WARNING + w));
            for (String n : names) {
                if (!n.startsWith("ifcfg-") || n.equals("ifcfg-lo")) {
                    continue;
                }
                Optional<String> t = TextFiles.read(fs, dir + "/" + n);
                for (String line : TextFiles.lines(t.orElse(""))) {
                    Matcher m = HWADDR.matcher(line);
                    if (m.matches() && !macs.contains(m.group(1).toLowerCase(Locale.ROOT))) {
                        notes.add(WARNING + dir + "/" + n + ": HWADDR " + m.group(1)
                                + " is no NIC of this guest; the interface will not come up until it is corrected");
                    }
                }
            }
        }
    }

    private static void fixPersistentRules(GuestFileSystem fs, List<String> macs, List<String> notes) throws IOException {
        Optional<String> text = TextFiles.read(fs, PERSISTENT_RULES);
        if (text.isEmpty()) {
            return;
        }
        List<String> lines = new ArrayList<>(TextFiles.lines(text.get()));
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher mac = RULE_MAC.matcher(line);
            if (line.strip().startsWith("#") || !mac.find()) {
                continue;
            }
            if (!macs.contains(mac.group(1).toLowerCase(Locale.ROOT))) {
                notes.add(WARNING + PERSISTENT_RULES + " line " + (i + 1) + ": rule for " + mac.group(1)
                        + ", which is no NIC of this guest; it may take a name another NIC needs");
                continue;
            }
            List<String> keys = new ArrayList<>();
            boolean dropped = false;
            for (String key : line.split(",")) {
                if (XEN_DRIVER_MATCH.matcher(key.strip()).matches()) {
                    dropped = true;
                } else {
                    keys.add(key.strip());
                }
            }
            if (dropped) {
                lines.set(i, String.join(", ", keys));
                notes.add(PERSISTENT_RULES + " line " + (i + 1) + ": Xen driver match removed so the rule applies to virtio");
            }
        }
        String result = TextFiles.join(lines, text.get().endsWith("\n"));
        if (!result.equals(text.get())) {
            fs.writeText(PERSISTENT_RULES, result);
        }
    }
}
