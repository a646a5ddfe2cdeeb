package org.xen2kvm.initramfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Rebuilds a dracut image (RHEL 6+, Fedora, SUSE) for KVM: the modules with their dependencies
 * under the image's module directory and the indexes for them (udev then loads the drivers
 * by alias), plus {@code etc/cmdline.d/90xen2kvm.conf} with {@code rd.driver.pre=} naming the
 * modules, which dracut's kernel-modules hook loads before it waits for the root device
 * (dracut reads etc/cmdline.d/*.conf as part of the kernel command line). Xen device names in
 * the command-line files a host-only image carries (root=, resume=) are mapped; a resume=
 * without a KVM device is dropped.
 */
public final class DracutRebuild {
    static final String CMDLINE_DIR = "etc/cmdline.d/";
    static final String CMDLINE_FILE = CMDLINE_DIR + "90xen2kvm.conf";

    private DracutRebuild() {
    }

    /**
     * @param image     the image as read
     * @param release   the kernel release the image is for
     * @param supply    modules of that kernel
     * @param modules   what the KVM guest needs at boot, loaded in this order
     * @param deviceMap Xen device ("/dev/xvda1") to the KVM guest's, empty when it has none
     * @throws IOException from the module supply
     */
    public static Rebuilt rebuild(InitramfsImage image, String release, ModuleSupply supply, Collection<String> modules,
            Function<String, Optional<String>> deviceMap) throws IOException {
        ModuleInstaller.Installed installed = ModuleInstaller.install(image, ModuleInstaller.moduleDir(image, release), supply,
                modules);
        List<String> changes = new ArrayList<>(installed.changes());
        InitramfsImage out = installed.image();
        for (CpioEntry e : image.entries()) {
            if (e.isRegular() && e.path().startsWith(CMDLINE_DIR) && e.path().endsWith(".conf")) {
                out = mapCmdline(out, e, deviceMap, changes);
            }
        }
        List<String> names = modules.stream().map(ModuleFile::canonical).distinct().toList();
        String line = "rd.driver.pre=" + String.join(",", names) + "\n";
        out = out.replaceFile(CMDLINE_FILE, line.getBytes(StandardCharsets.US_ASCII), 0644);
        changes.add(CMDLINE_FILE + ": " + line.trim());
        return new Rebuilt(out, changes);
    }

    private static InitramfsImage mapCmdline(InitramfsImage image, CpioEntry file, Function<String, Optional<String>> deviceMap,
            List<String> changes) {
        String text = new String(file.data(), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        boolean changed = false;
        // Arguments are separated by blanks or newlines; each keeps the separator that followed it.
        for (String arg : text.split("(?<=[ \t\n])", -1)) {
            String word = arg.strip();
            String sep = arg.substring(arg.indexOf(word) + word.length());
            if (word.contains("=") && XenDeviceNames.isXen(word.substring(word.indexOf('=') + 1))) {
                Optional<String> mapped = XenDeviceNames.map(word, deviceMap);
                if (mapped.isPresent()) {
                    out.append(mapped.get()).append(sep);
                    changes.add(file.path() + ": " + word + " -> " + mapped.get());
                    changed = true;
                    continue;
                }
                if (word.startsWith("resume=")) {
                    out.append(sep);
                    changes.add(file.path() + ": dropped " + word + " (no KVM device for it)");
                    changed = true;
                    continue;
                }
                changes.add(file.path() + ": " + word + " left as it is: no KVM device for it");
            }
            out.append(arg);
        }
        if (!changed) {
            return image;
        }
        return image.replaceFile(file.path(), out.toString().getBytes(StandardCharsets.UTF_8), file.mode() & CpioEntry.PERMISSIONS);
    }
}
