package org.xen2kvm.guest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * Inspects a guest's root filesystem. Every file is read through {@link TextFiles} with a
 * size bound; a file that cannot be understood becomes a warning, never a failure, because
 * a conversion must still be possible on a guest with one odd file. Only errors of the
 * filesystem itself (a symlink loop, corruption) propagate.
 */
public final class GuestInspector {

    /** A kernel file name and its release: {@code vmlinuz-6.1.0-18-amd64}, {@code vmlinux-...} (SUSE). */
    private static final Pattern VMLINUZ = Pattern.compile("vmlinu[zx]-(.+)");
    /** Consoles a guest may name; Xen's are hvc0 (pvops) and xvc0 (RHEL5 xenified kernels). */
    private static final Pattern CONSOLE = Pattern.compile("\\b(hvc[0-9]|xvc[0-9]|ttyS[0-9]{1,2})\\b");
    private static final Pattern CMDLINE_CONSOLE = Pattern.compile("(?:^|\\s)console=([A-Za-z]+[0-9]{0,2})");
    private static final Pattern GETTY_UNIT = Pattern.compile("(?:serial-)?getty@([A-Za-z0-9]+)\\.service");
    private static final Pattern IFACE = Pattern.compile("^\\s*(?:iface|auto|allow-hotplug|allow-auto)\\s+(.+)$");
    private static final Pattern IFCFG_DEVICE = Pattern.compile("^\\s*DEVICE=[\"']?([^\"'\\s]+)");
    private static final Pattern NETWORKD_NAME = Pattern.compile("^\\s*Name=(\\S+)");
    private static final Pattern NM_IFACE = Pattern.compile("^\\s*interface-name=(\\S+)");
    private static final Pattern NETPLAN_IFACE = Pattern.compile("^\\s{2,8}([A-Za-z][A-Za-z0-9_.-]{0,14}):\\s*$");
    private static final int MAX_DIR_ENTRIES = 10_000;

    /** extlinux/syslinux menus, in the order syslinux searches them. */
    public static final List<String> EXTLINUX_CONFIGS = List.of("/boot/extlinux/extlinux.conf", "/boot/extlinux.conf",
            "/extlinux.conf", "/boot/syslinux/syslinux.cfg");

    private static final String[] LEGACY_INITRD = {"initrd.img-%s", "initramfs-%s.img", "initrd-%s.img", "initrd-%s"};

    private GuestInspector() {
    }

    /** Chooses the root filesystem among a guest's filesystems: the one with /etc/fstab and a release file. */
    public static Optional<GuestFileSystem> findRoot(List<GuestFileSystem> candidates) throws IOException {
        GuestFileSystem fallback = null;
        for (GuestFileSystem fs : candidates) {
            if (!isFile(fs, "/etc/fstab")) {
                continue;
            }
            for (String r : DistroDetector.RELEASE_FILES) {
                if (fs.stat(r).isPresent()) {
                    return Optional.of(fs);
                }
            }
            if (fallback == null) {
                fallback = fs;
            }
        }
        return Optional.ofNullable(fallback);
    }

    public static InspectedGuest inspect(GuestFileSystem root) throws IOException {
        return inspect(root, InitrdCache.empty());
    }

    /**
     * Inspects the guest with the conversion's initrds so far (a guest inspected again after a
     * kernel install keeps the images already read).
     */
    public static InspectedGuest inspect(GuestFileSystem root, InitrdCache initrds) throws IOException {
        List<String> warnings = new ArrayList<>();
        OsInfo os = os(root);
        List<KernelInfo> kernels = kernels(root, warnings);
        BootloaderInfo boot = bootloader(root, warnings);
        Fstab fstab = null;
        Optional<String> fstabText = TextFiles.read(root, "/etc/fstab");
        if (fstabText.isPresent()) {
            fstab = Fstab.parse("/etc/fstab", fstabText.get());
            warnings.addAll(fstab.warnings());
        } else {
            warnings.add("/etc/fstab: missing; no mounts will be translated");
        }
        InitSystem init = initSystem(root);
        NetworkConfig net = network(root, warnings);
        List<String> consoles = consoles(root, boot);
        VirtioSupport virtio = VirtioDrivers.find(root, kernels, boot, initrds);
        List<KernelVerdict> verdicts = KernelDetection.judgeAll(root, kernels);
        return new InspectedGuest(os, kernels, boot, fstab, init, net, consoles, virtio, warnings, initrds, verdicts);
    }

    private static boolean isFile(GuestFileSystem fs, String path) throws IOException {
        return fs.stat(path).map(i -> i.type() == FileType.REGULAR).orElse(false);
    }

    private static boolean isDir(GuestFileSystem fs, String path) throws IOException {
        return fs.stat(path).map(i -> i.type() == FileType.DIRECTORY).orElse(false);
    }

    // ---- distribution

    static OsInfo os(GuestFileSystem fs) throws IOException {
        return DistroDetector.detect(fs);
    }

    // ---- kernels and bootloader

    static List<KernelInfo> kernels(GuestFileSystem fs, List<String> warnings) throws IOException {
        List<String> names = TextFiles.listIfDir(fs, "/boot", MAX_DIR_ENTRIES, warnings);
        Set<String> present = new java.util.HashSet<>(names);
        List<KernelInfo> out = new ArrayList<>();
        for (String n : names) {
            Matcher m = VMLINUZ.matcher(n);
            // SUSE keeps a compressed vmlinux-<version>.gz for debuggers next to the kernel.
            if (!m.matches() || n.endsWith(".gz") || !isFile(fs, "/boot/" + n)) {
                continue;
            }
            String version = m.group(1);
            String initrd = null;
            for (String pattern : LEGACY_INITRD) {
                String candidate = String.format(pattern, version);
                if (present.contains(candidate) && isFile(fs, "/boot/" + candidate)) {
                    initrd = "/boot/" + candidate;
                    break;
                }
            }
            out.add(new KernelInfo(version, "/boot/" + n, initrd, version.endsWith("xen")));
        }
        out.sort((a, b) -> KernelVersions.compare(b.version(), a.version()));
        return out;
    }

    static BootloaderInfo bootloader(GuestFileSystem fs, List<String> warnings) throws IOException {
        for (String p : List.of("/boot/grub2/grub.cfg", "/boot/grub/grub.cfg")) {
            Optional<String> t = TextFiles.read(fs, p);
            if (t.isPresent()) {
                return GrubConfigs.parseGrub2(p, t.get());
            }
        }
        // grub.conf first: on Red Hat menu.lst is a symlink to it, and edits must hit the real file.
        for (String p : List.of("/boot/grub/grub.conf", "/boot/grub/menu.lst")) {
            Optional<String> t = TextFiles.read(fs, p);
            if (t.isPresent()) {
                return GrubConfigs.parseLegacy(p, t.get());
            }
        }
        for (String p : EXTLINUX_CONFIGS) {
            Optional<String> t = TextFiles.read(fs, p);
            if (t.isPresent()) {
                return GrubConfigs.parseExtlinux(p, t.get());
            }
        }
        return BootloaderInfo.none();
    }

    // ---- init system

    static InitSystem initSystem(GuestFileSystem fs) throws IOException {
        var init = fs.lstat("/sbin/init");
        if (init.isPresent() && init.get().type() == FileType.SYMLINK && fs.readlink("/sbin/init").contains("systemd")) {
            return InitSystem.SYSTEMD;
        }
        boolean systemdBinary = fs.stat("/lib/systemd/systemd").isPresent() || fs.stat("/usr/lib/systemd/systemd").isPresent();
        if (systemdBinary && isDir(fs, "/etc/systemd")) {
            return InitSystem.SYSTEMD;
        }
        if (fs.stat("/sbin/initctl").isPresent() && hasConf(fs, "/etc/init")) {
            return InitSystem.UPSTART;
        }
        if (isFile(fs, "/etc/inittab")) {
            return InitSystem.SYSVINIT;
        }
        return InitSystem.UNKNOWN;
    }

    private static boolean hasConf(GuestFileSystem fs, String dir) throws IOException {
        for (String n : TextFiles.listIfDir(fs, dir)) {
            if (n.endsWith(".conf")) {
                return true;
            }
        }
        return false;
    }

    // ---- network

    static NetworkConfig network(GuestFileSystem fs, List<String> warnings) throws IOException {
        Set<NetworkStyle> styles = new LinkedHashSet<>();
        Set<String> ifaces = new LinkedHashSet<>();
        Optional<String> interfaces = TextFiles.read(fs, "/etc/network/interfaces");
        if (interfaces.isPresent()) {
            List<String> texts = new ArrayList<>(List.of(interfaces.get()));
            for (String n : TextFiles.listIfDir(fs, "/etc/network/interfaces.d", warnings)) {
                TextFiles.read(fs, "/etc/network/interfaces.d/" + n).ifPresent(texts::add);
            }
            for (String text : texts) {
                for (String line : TextFiles.lines(text)) {
                    Matcher m = IFACE.matcher(line);
                    if (m.matches()) {
                        String[] words = m.group(1).strip().split("\\s+");
                        // "iface eth0 inet static" names one interface; "auto lo eth0" several.
                        int count = line.strip().startsWith("iface") ? 1 : words.length;
                        for (int i = 0; i < count; i++) {
                            addIface(ifaces, words[i]);
                        }
                    }
                }
            }
            if (!ifaces.isEmpty()) {
                styles.add(NetworkStyle.IFUPDOWN);
            }
        }
        for (String dir : List.of("/etc/sysconfig/network-scripts", "/etc/sysconfig/network")) {
            for (String n : TextFiles.listIfDir(fs, dir, warnings)) {
                if (!n.startsWith("ifcfg-") || n.contains("~") || n.endsWith(".bak") || n.endsWith(".orig")) {
                    continue;
                }
                styles.add(NetworkStyle.IFCFG);
                String name = n.substring("ifcfg-".length());
                Optional<String> t = TextFiles.read(fs, dir + "/" + n);
                if (t.isPresent()) {
                    for (String line : TextFiles.lines(t.get())) {
                        Matcher m = IFCFG_DEVICE.matcher(line);
                        if (m.find()) {
                            name = m.group(1);
                        }
                    }
                }
                addIface(ifaces, name);
            }
        }
        for (String n : TextFiles.listIfDir(fs, "/etc/netplan", warnings)) {
            if (n.endsWith(".yaml")) {
                styles.add(NetworkStyle.NETPLAN);
                boolean inEthernets = false;
                for (String line : TextFiles.lines(TextFiles.read(fs, "/etc/netplan/" + n).orElse(""))) {
                    if (line.strip().startsWith("ethernets:")) {
                        inEthernets = true;
                    } else if (inEthernets && !line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                        inEthernets = false;
                    }
                    Matcher m = NETPLAN_IFACE.matcher(line);
                    if (inEthernets && m.matches() && !line.strip().equals("ethernets:")
                            && indent(line) == ethernetsChildIndent(line)) {
                        addIface(ifaces, m.group(1));
                    }
                }
            }
        }
        for (String n : TextFiles.listIfDir(fs, "/etc/systemd/network", warnings)) {
            if (n.endsWith(".network")) {
                styles.add(NetworkStyle.SYSTEMD_NETWORKD);
                collect(fs, "/etc/systemd/network/" + n, NETWORKD_NAME, ifaces);
            }
        }
        for (String n : TextFiles.listIfDir(fs, "/etc/NetworkManager/system-connections", warnings)) {
            styles.add(NetworkStyle.NETWORKMANAGER);
            collect(fs, "/etc/NetworkManager/system-connections/" + n, NM_IFACE, ifaces);
        }
        if (styles.isEmpty()) {
            warnings.add("no network configuration found (ifupdown, ifcfg, netplan, networkd, NetworkManager)");
        }
        return new NetworkConfig(new ArrayList<>(styles), new ArrayList<>(ifaces));
    }

    private static int indent(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /** Netplan files in the wild indent two or four spaces per level; interface keys sit two levels deep. */
    private static int ethernetsChildIndent(String line) {
        int i = indent(line);
        return i == 4 || i == 8 ? i : -1;
    }

    private static void collect(GuestFileSystem fs, String path, Pattern p, Set<String> into) throws IOException {
        if (!isFile(fs, path)) {
            return;
        }
        for (String line : TextFiles.lines(TextFiles.read(fs, path).orElse(""))) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                for (String name : m.group(1).split("\\s+")) {
                    addIface(into, name);
                }
            }
        }
    }

    private static void addIface(Set<String> into, String name) {
        String n = name.split("[:.]")[0];
        if (!n.equals("lo") && n.matches("[A-Za-z][A-Za-z0-9_-]{0,14}")) {
            into.add(n);
        }
    }

    // ---- consoles

    static List<String> consoles(GuestFileSystem fs, BootloaderInfo boot) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String n : TextFiles.listIfDir(fs, "/etc/systemd/system/getty.target.wants")) {
            Matcher m = GETTY_UNIT.matcher(n);
            if (m.matches()) {
                out.add(m.group(1));
            }
        }
        for (String file : List.of("/etc/inittab", "/etc/securetty")) {
            for (String line : TextFiles.lines(TextFiles.read(fs, file).orElse(""))) {
                if (line.strip().startsWith("#")) {
                    continue;
                }
                Matcher m = CONSOLE.matcher(line);
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        for (String n : TextFiles.listIfDir(fs, "/etc/init")) {
            Matcher m = CONSOLE.matcher(n);
            if (n.endsWith(".conf") && m.find()) {
                out.add(m.group(1));
            }
        }
        for (BootEntry e : boot.entries()) {
            Matcher m = CMDLINE_CONSOLE.matcher(e.cmdline());
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return new ArrayList<>(out);
    }
}
