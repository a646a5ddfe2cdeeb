package org.xen2kvm.guest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * Judges each kernel in {@code /boot}: Xen-only or KVM-capable, and how it provides the virtio
 * drivers, from {@code /boot/config-<release>}, {@code /lib/modules/<release>/modules.builtin},
 * the module files ({@link ModuleFiles}) and the release name.
 *
 * <p>A kernel with neither a config nor a module tree (a placeholder, or a kernel the dom0
 * supplied) cannot be judged by its drivers: it counts as capable unless its name or config
 * says Xen, and its verdict says the drivers are unknown.
 */
public final class KernelDetection {

    /** {@code CONFIG_FOO=y}, {@code CONFIG_FOO=m}, {@code # CONFIG_FOO is not set}. */
    private static final Pattern CONFIG_SET = Pattern.compile("^(CONFIG_[A-Z0-9_]{1,80})=(.{0,200})$");
    private static final Pattern CONFIG_UNSET = Pattern.compile("^# (CONFIG_[A-Z0-9_]{1,80}) is not set$");
    /**
     * Xen flavours' releases: RHEL5 {@code 2.6.18-398.el5xen}, SUSE {@code 3.0.101-63-xen},
     * Fedora Core {@code 2.6.16-1.2096_FC5xenU}. Debian's {@code 2.6.32-5-xen-amd64} is a pvops
     * kernel that boots on KVM, so only a release ending in xen (or naming xenU) counts.
     */
    private static final Pattern XEN_RELEASE = Pattern.compile("(?i)(.*xen|.*xenU.*)");
    private static final Pattern DEBUG_RELEASE = Pattern.compile("(?i).*debug.*");
    /** The xenified (non-pvops) architectures: these kernels run only as Xen guests or dom0. */
    private static final List<String> XENIFIED = List.of("CONFIG_X86_XEN", "CONFIG_X86_64_XEN");
    /** The drivers judged, with their config options. */
    private static final String[][] DRIVERS = {
            {"virtio_blk", "CONFIG_VIRTIO_BLK"}, {"virtio_net", "CONFIG_VIRTIO_NET"}, {"virtio_pci", "CONFIG_VIRTIO_PCI"}};

    private KernelDetection() {
    }

    /** Verdicts for every kernel, in the order given (newest first, as inspection lists them). */
    public static List<KernelVerdict> judgeAll(GuestFileSystem fs, List<KernelInfo> kernels) throws IOException {
        List<KernelVerdict> out = new ArrayList<>();
        for (KernelInfo k : kernels) {
            out.add(judge(fs, k));
        }
        return out;
    }

    /**
     * Judges one kernel.
     *
     * @throws IOException on a filesystem error (corruption, a symlink loop)
     */
    public static KernelVerdict judge(GuestFileSystem fs, KernelInfo k) throws IOException {
        String rel = k.version();
        String configPath = "/boot/config-" + rel;
        Optional<String> configText = TextFiles.read(fs, configPath);
        Map<String, String> config = configText.map(KernelDetection::parseConfig).orElse(Map.of());
        Set<String> builtin = builtins(fs, rel);
        List<String> wanted = new ArrayList<>();
        for (String[] d : DRIVERS) {
            if (!builtin.contains(d[0]) && !"y".equals(config.get(d[1]))) {
                wanted.add(d[0]);
            }
        }
        Optional<Set<String>> modules = ModuleFiles.present(fs, rel, wanted, true);
        // A config that sets nothing (a placeholder file) says nothing about the drivers.
        boolean evidence = !config.isEmpty() || modules.isPresent() || !builtin.isEmpty();
        List<String> reasons = new ArrayList<>();
        boolean xenOnly = false;
        for (String key : XENIFIED) {
            if ("y".equals(config.get(key))) {
                xenOnly = true;
                reasons.add(configPath + " sets " + key + "=y: a xenified kernel that runs only on Xen");
            }
        }
        if (XEN_RELEASE.matcher(rel).matches()) {
            xenOnly = true;
            reasons.add("release " + rel + " is a Xen flavour");
        }
        DriverStatus blk = status("virtio_blk", "CONFIG_VIRTIO_BLK", config, builtin, modules, evidence);
        DriverStatus net = status("virtio_net", "CONFIG_VIRTIO_NET", config, builtin, modules, evidence);
        DriverStatus pci = status("virtio_pci", "CONFIG_VIRTIO_PCI", config, builtin, modules, evidence);
        String where = "/lib/modules/" + rel;
        if (blk == DriverStatus.MISSING) {
            reasons.add("no virtio_blk (not built in, no module under " + where + "): it cannot find its disk");
        }
        if (pci == DriverStatus.MISSING) {
            reasons.add("no virtio_pci (not built in, no module under " + where + "): it cannot see virtio devices");
        }
        if (net == DriverStatus.MISSING && blk != DriverStatus.MISSING && pci != DriverStatus.MISSING) {
            reasons.add("no virtio_net: no network on KVM");
        }
        if (!evidence && !xenOnly) {
            reasons.add("no " + configPath + " nor " + where + ": its virtio drivers cannot be checked");
        }
        boolean debug = DEBUG_RELEASE.matcher(rel).matches();
        if (debug) {
            reasons.add("a debug flavour");
        }
        boolean capable = !xenOnly && blk != DriverStatus.MISSING && pci != DriverStatus.MISSING;
        return new KernelVerdict(rel, k.vmlinuzPath(), k.initrdPath(), capable, xenOnly, blk, net, pci, debug, reasons);
    }

    /**
     * Whether a module file of this name is installed for the kernel where the kernel's build
     * puts it ({@code kernel/drivers/virtio/virtio_pci_modern_dev.ko*}); no walk of the tree.
     *
     * @throws IOException on a filesystem error
     */
    public static boolean moduleInstalled(GuestFileSystem fs, String release, String module) throws IOException {
        return ModuleFiles.present(fs, release, List.of(module), false).map(n -> n.contains(module)).orElse(false);
    }

    /**
     * A judgement from the release name alone, for a guest known without its files: Xen-only by
     * name, drivers unknown.
     */
    public static KernelVerdict byName(KernelInfo k) {
        boolean xen = k.xenOnly() || XEN_RELEASE.matcher(k.version()).matches();
        List<String> reasons = xen ? List.of("release " + k.version() + " is a Xen flavour") : List.of();
        return new KernelVerdict(k.version(), k.vmlinuzPath(), k.initrdPath(), !xen, xen, DriverStatus.UNKNOWN,
                DriverStatus.UNKNOWN, DriverStatus.UNKNOWN, DEBUG_RELEASE.matcher(k.version()).matches(), reasons);
    }

    private static DriverStatus status(String module, String option, Map<String, String> config, Set<String> builtin,
                                       Optional<Set<String>> modules, boolean evidence) {
        if (builtin.contains(module) || "y".equals(config.get(option))) {
            return DriverStatus.BUILTIN;
        }
        if (modules.isPresent() && modules.get().contains(module)) {
            return DriverStatus.MODULE;
        }
        return evidence ? DriverStatus.MISSING : DriverStatus.UNKNOWN;
    }

    /** Options the config sets ({@code y}, {@code m}, a value) or unsets ({@code n}). */
    static Map<String, String> parseConfig(String text) {
        Map<String, String> out = new HashMap<>();
        for (String line : TextFiles.lines(text)) {
            String s = line.strip();
            Matcher set = CONFIG_SET.matcher(s);
            Matcher unset = CONFIG_UNSET.matcher(s);
            if (set.matches()) {
                out.put(set.group(1), set.group(2));
            } else if (unset.matches()) {
                out.put(unset.group(1), "n");
            }
        }
        return out;
    }

    /** Module names in {@code modules.builtin} ({@code kernel/drivers/block/virtio_blk.ko}). */
    private static Set<String> builtins(GuestFileSystem fs, String rel) throws IOException {
        Set<String> out = new HashSet<>();
        if (rel.contains("/")) {
            return out;
        }
        for (String line : TextFiles.lines(TextFiles.read(fs, "/lib/modules/" + rel + "/modules.builtin").orElse(""))) {
            String s = line.strip();
            String name = ModuleFiles.moduleName(s.substring(s.lastIndexOf('/') + 1));
            if (name != null) {
                out.add(name);
            }
        }
        return out;
    }
}
