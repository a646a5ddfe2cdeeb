package org.xen2kvm.edit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.guest.GrubConfigs;

/**
 * GRUB legacy entries that boot the Xen hypervisor: {@code kernel /xen.gz-...} followed by
 * {@code module /vmlinuz-... args} (the dom0 kernel) and {@code module /initrd-...}. KVM has
 * no use for the hypervisor. When the module kernel can also boot on bare hardware (a pvops
 * kernel, as Xen4CentOS installs), the entry becomes a plain one: {@code kernel} is that
 * module with its arguments, {@code initrd} the second module. When it is Xen-only (RHEL 5's
 * {@code -xen}) the entry stays as it is; {@link GrubEdit} keeps {@code default} off it.
 */
final class XenHypervisorEntries {

    /** indent, command, separator, path, arguments. */
    private static final Pattern COMMAND = Pattern.compile("^(\\s*)(kernel|module|modulenounzip)(\\s+|\\s*=\\s*)(\\S+)(.*)$");

    private XenHypervisorEntries() {
    }

    /** Whether a menu path names the Xen hypervisor ({@link GrubConfigs#isXenHypervisor}). */
    static boolean isHypervisor(String menuPath) {
        return GrubConfigs.isXenHypervisor(menuPath);
    }

    /**
     * The menu lines with every hypervisor entry whose kernel is not Xen-only made plain.
     *
     * @param notes receives one line per entry changed or left
     */
    static List<String> unwrap(String path, List<String> lines, List<String> notes) {
        List<String> out = new ArrayList<>();
        int entry = -1;
        int i = 0;
        while (i < lines.size()) {
            String t = lines.get(i).strip();
            if (!t.startsWith("title")) {
                out.add(lines.get(i++));
                continue;
            }
            entry++;
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).strip().startsWith("title")) {
                end++;
            }
            out.addAll(stanza(path, entry, lines.subList(i, end), notes));
            i = end;
        }
        return out;
    }

    private static List<String> stanza(String path, int entry, List<String> lines, List<String> notes) {
        int kernel = -1;
        List<Integer> modules = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = COMMAND.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            if (m.group(2).equals("kernel") && kernel < 0) {
                kernel = i;
            } else if (m.group(2).startsWith("module") && kernel >= 0) {
                modules.add(i);
            }
        }
        if (kernel < 0 || modules.isEmpty()) {
            return lines;
        }
        Matcher k = COMMAND.matcher(lines.get(kernel));
        k.matches();
        if (!isHypervisor(k.group(4))) {
            return lines;
        }
        String title = lines.get(0).strip().substring("title".length()).strip();
        Matcher linux = COMMAND.matcher(lines.get(modules.get(0)));
        linux.matches();
        if (GrubEdit.xenOnly(linux.group(4))) {
            notes.add(path + ": entry " + entry + " (" + title + ") boots the Xen hypervisor with the Xen-only kernel "
                    + linux.group(4) + "; left as it is, not the default");
            return lines;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (i == kernel) {
                out.add(k.group(1) + "kernel " + linux.group(4) + linux.group(5));
            } else if (modules.size() > 1 && i == modules.get(1)) {
                Matcher initrd = COMMAND.matcher(lines.get(i));
                initrd.matches();
                out.add(k.group(1) + "initrd " + initrd.group(4));
            } else if (!modules.contains(i)) {
                out.add(lines.get(i));
            }
        }
        notes.add(path + ": entry " + entry + " (" + title + ") booted " + linux.group(4) + " under the Xen hypervisor "
                + k.group(4) + "; now boots it directly" + (modules.size() > 2 ? " (" + (modules.size() - 2)
                + " further module line(s) dropped)" : ""));
        return out;
    }
}
