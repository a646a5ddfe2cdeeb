package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.KernelDetection;
import org.xen2kvm.guest.KernelVerdict;
import org.xen2kvm.guest.OsFamily;
import org.xen2kvm.guest.TextFiles;

/**
 * Makes the guest's own initramfs tools put the virtio drivers in every initramfs they build
 * from now on (a kernel update, the first-boot service), whatever they were told on Xen:
 * <ul>
 * <li>initramfs-tools: the modules in {@code /etc/initramfs-tools/modules}, which it includes and
 *     loads with any {@code MODULES=} setting (also {@code dep}, which took only Xen's drivers);</li>
 * <li>dracut: {@code add_drivers+=} in {@code /etc/dracut.conf.d/xen2kvm-virtio.conf}, which
 *     {@code hostonly=yes} does not filter out;</li>
 * <li>SUSE's mkinitrd: {@code INITRD_MODULES} in {@code /etc/sysconfig/kernel}.</li>
 * </ul>
 * RHEL5's mkinitrd takes its disk driver from {@code modprobe.conf} ({@link ModprobeEdit}).
 * On 6.x kernels virtio_pci needs virtio_pci_modern_dev (and legacy_dev from 6.2); they are
 * listed when a kernel of the guest has them, although both tools also follow module dependencies.
 */
public final class InitramfsConfigEdit implements GuestEdit {

    static final String INITRAMFS_TOOLS_MODULES = "/etc/initramfs-tools/modules";
    static final String DRACUT_CONF = "/etc/dracut.conf.d/xen2kvm-virtio.conf";
    static final String SYSCONFIG_KERNEL = "/etc/sysconfig/kernel";
    private static final List<String> BASE = List.of("virtio_pci", "virtio_blk", "virtio_net");
    private static final List<String> PCI_HELPERS = List.of("virtio_pci_modern_dev", "virtio_pci_legacy_dev");
    private static final Pattern INITRD_MODULES = Pattern.compile("^(\\s*INITRD_MODULES=)([\"']?)([^\"']*)([\"']?)\\s*$");

    @Override
    public String name() {
        return "initramfs-config";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        List<String> modules = modules(fs, ctx.guest().verdicts());
        if (isDir(fs, "/etc/initramfs-tools")) {
            initramfsTools(fs, modules, notes);
        }
        if (isDir(fs, "/etc/dracut.conf.d") || fs.exists("/etc/dracut.conf")) {
            dracut(fs, modules, notes);
        }
        if (ctx.guest().os().family() == OsFamily.SUSE && isRegular(fs, SYSCONFIG_KERNEL)) {
            suse(fs, notes);
        }
        return notes;
    }

    /** virtio_pci, virtio_blk, virtio_net, and virtio_pci's helpers where a kernel of the guest has them. */
    static List<String> modules(GuestFileSystem fs, List<KernelVerdict> verdicts) throws IOException {
        Set<String> out = new LinkedHashSet<>(BASE);
        for (String helper : PCI_HELPERS) {
            for (KernelVerdict v : verdicts) {
                if (v.kvmCapable() && KernelDetection.moduleInstalled(fs, v.release(), helper)) {
                    out.add(helper);
                    break;
                }
            }
        }
        return new ArrayList<>(out);
    }

    private static void initramfsTools(GuestFileSystem fs, List<String> modules, List<String> notes) throws IOException {
        String text = TextFiles.read(fs, INITRAMFS_TOOLS_MODULES).orElse("");
        Set<String> listed = new java.util.HashSet<>();
        for (String line : TextFiles.lines(text)) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                listed.add(t.split("\\s+")[0].replace('-', '_'));
            }
        }
        List<String> missing = modules.stream().filter(m -> !listed.contains(m)).toList();
        if (missing.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(text);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            sb.append('\n');
        }
        sb.append("# xen2kvm: virtio drivers, so that the initramfs finds its disk on KVM\n");
        missing.forEach(m -> sb.append(m).append('\n'));
        fs.mkdirs("/etc/initramfs-tools");
        fs.writeText(INITRAMFS_TOOLS_MODULES, sb.toString());
        notes.add(INITRAMFS_TOOLS_MODULES + ": " + String.join(" ", missing) + " added (used by the next update-initramfs)");
    }

    private static void dracut(GuestFileSystem fs, List<String> modules, List<String> notes) throws IOException {
        String text = "# xen2kvm: virtio drivers in every initramfs, also with hostonly=yes, so that it finds its disk on KVM\n"
                + "add_drivers+=\" " + String.join(" ", modules) + " \"\n";
        if (text.equals(TextFiles.read(fs, DRACUT_CONF).orElse(null))) {
            return;
        }
        fs.mkdirs("/etc/dracut.conf.d");
        fs.writeText(DRACUT_CONF, text);
        notes.add(DRACUT_CONF + ": add_drivers+=\" " + String.join(" ", modules) + " \" (used by the next dracut)");
    }

    /** SUSE mkinitrd loads INITRD_MODULES in order; the bus driver goes before the disk driver. */
    private static void suse(GuestFileSystem fs, List<String> notes) throws IOException {
        String text = TextFiles.read(fs, SYSCONFIG_KERNEL).orElseThrow();
        List<String> lines = new ArrayList<>(TextFiles.lines(text));
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = INITRD_MODULES.matcher(lines.get(i));
            if (m.matches()) {
                List<String> mods = new ArrayList<>(List.of(m.group(3).strip().split("\\s+")));
                mods.removeIf(String::isEmpty);
                List<String> added = new ArrayList<>();
                for (String want : List.of("virtio_pci", "virtio_blk")) {
                    if (!mods.contains(want)) {
                        mods.add(want);
                        added.add(want);
                    }
                }
                if (added.isEmpty()) {
                    return;
                }
                String q = m.group(2).isEmpty() ? "\"" : m.group(2);
                lines.set(i, m.group(1) + q + String.join(" ", mods) + q);
                fs.writeText(SYSCONFIG_KERNEL, TextFiles.join(lines, text.endsWith("\n")));
                notes.add(SYSCONFIG_KERNEL + ": INITRD_MODULES gains " + String.join(" ", added) + " (used by the next mkinitrd)");
                return;
            }
        }
        lines.add("INITRD_MODULES=\"virtio_pci virtio_blk\"");
        fs.writeText(SYSCONFIG_KERNEL, TextFiles.join(lines, true));
        notes.add(SYSCONFIG_KERNEL + ": INITRD_MODULES=\"virtio_pci virtio_blk\" added (used by the next mkinitrd)");
    }

    private static boolean isDir(GuestFileSystem fs, String p) throws IOException {
        return fs.stat(p).map(i -> i.type() == FileType.DIRECTORY).orElse(false);
    }

    private static boolean isRegular(GuestFileSystem fs, String p) throws IOException {
        return fs.stat(p).map(i -> i.type() == FileType.REGULAR).orElse(false);
    }
}
