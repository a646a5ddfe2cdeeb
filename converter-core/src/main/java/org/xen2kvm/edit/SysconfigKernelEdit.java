package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.KernelInfo;
import org.xen2kvm.guest.TextFiles;

/**
 * Points {@code DEFAULTKERNEL} in {@code /etc/sysconfig/kernel} away from the Xen kernel.
 * RHEL's {@code new-kernel-pkg} makes a newly installed kernel the GRUB default only when its
 * package is {@code DEFAULTKERNEL} (with {@code UPDATEDEFAULT=yes}); left at
 * {@code kernel-xen}, every {@code yum update} would make the next Xen-only kernel the
 * default and the guest would stop booting on KVM. The new value is the package of a
 * non-Xen kernel the guest has ({@code kernel}, or {@code kernel-PAE} for
 * {@code DEFAULTKERNEL=kernel-xen-PAE}-style values when a PAE kernel is installed); with no
 * such kernel the line stays, because it must name an installed package, and a note says so.
 */
public final class SysconfigKernelEdit implements GuestEdit {

    public static final String SYSCONFIG_KERNEL = "/etc/sysconfig/kernel";
    private static final Pattern DEFAULTKERNEL = Pattern.compile("^(\\s*DEFAULTKERNEL\\s*=\\s*)([\"']?)([A-Za-z0-9_.+-]+)(\\2\\s*)$");
    /** RHEL kernel release with its flavour: {@code 2.6.18-398.el5PAE}, {@code 2.6.18-398.el5xen}. */
    private static final Pattern FLAVOUR = Pattern.compile("\\.el[0-9]+(?:_[0-9]+)?([A-Za-z]+)$");

    @Override
    public String name() {
        return "sysconfig-kernel";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        Optional<String> text = TextFiles.read(fs, SYSCONFIG_KERNEL);
        if (text.isEmpty()) {
            return notes;
        }
        List<String> packages = new ArrayList<>();
        for (KernelInfo k : ctx.guest().kernels()) {
            String p = packageOf(k.version());
            if (!k.xenOnly() && !p.endsWith("-debug") && !packages.contains(p)) {
                packages.add(p);
            }
        }
        List<String> lines = new ArrayList<>(TextFiles.lines(text.get()));
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = DEFAULTKERNEL.matcher(lines.get(i));
            if (!m.matches() || !m.group(3).contains("xen")) {
                continue;
            }
            String old = m.group(3);
            if (packages.isEmpty()) {
                notes.add(WARNING + SYSCONFIG_KERNEL + " line " + (i + 1) + ": DEFAULTKERNEL=" + old + " left: the guest"
                        + " has no other kernel yet; set it to the package of the kernel you install (kernel)");
                continue;
            }
            String wanted = old.replace("-xen", "").replace("xen", "");
            String chosen = packages.contains(wanted) ? wanted : packages.get(0);
            lines.set(i, m.group(1) + m.group(2) + chosen + m.group(4));
            notes.add(SYSCONFIG_KERNEL + " line " + (i + 1) + ": DEFAULTKERNEL=" + old + " -> " + chosen
                    + " (kernel updates then stay bootable on KVM)");
        }
        String result = TextFiles.join(lines, text.get().endsWith("\n"));
        if (!result.equals(text.get())) {
            fs.writeText(SYSCONFIG_KERNEL, result);
        }
        return notes;
    }

    /** {@code kernel}, {@code kernel-PAE}, {@code kernel-xen}, {@code kernel-debug} from a kernel release. */
    static String packageOf(String version) {
        Matcher m = FLAVOUR.matcher(version);
        return m.find() ? "kernel-" + m.group(1) : "kernel";
    }
}
