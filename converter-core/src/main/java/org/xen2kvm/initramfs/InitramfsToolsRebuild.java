package org.xen2kvm.initramfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Rebuilds an initramfs-tools image (Debian, Ubuntu) for KVM, as mkinitramfs would have built
 * it: the modules with their dependencies under {@code usr/lib/modules/RELEASE} (or
 * {@code lib/modules/RELEASE}, whichever the image uses), modules.dep and the binary indexes
 * rewritten for the modules the image then holds, the names appended to {@code conf/modules}
 * (the init's load_modules modprobes each line), and Xen device names in
 * {@code conf/conf.d/*} and {@code conf/initramfs.conf} (RESUME=/dev/xvda2, ROOT=...) mapped to
 * the KVM guest's; a resume device without a KVM name becomes RESUME=none. Everything else,
 * the early microcode archive included, stays as it was.
 */
public final class InitramfsToolsRebuild {
    static final String CONF_MODULES = "conf/modules";
    static final String CONF_DIR = "conf/conf.d/";
    static final String INITRAMFS_CONF = "conf/initramfs.conf";

    private InitramfsToolsRebuild() {
    }

    /**
     * @param image     the image as read
     * @param release   the kernel release the image is for ("6.1.0-13-amd64")
     * @param supply    modules of that kernel
     * @param modules   what the KVM guest needs at boot ("virtio_pci", "virtio_blk", "ext4", ...)
     * @param deviceMap Xen device ("/dev/xvda1") to the KVM guest's, empty when it has none
     * @throws IOException from the module supply
     */
    public static Rebuilt rebuild(InitramfsImage image, String release, ModuleSupply supply, Collection<String> modules,
            Function<String, Optional<String>> deviceMap) throws IOException {
        ModuleInstaller.Installed installed = ModuleInstaller.install(image, ModuleInstaller.moduleDir(image, release), supply,
                modules);
        List<String> changes = new ArrayList<>(installed.changes());
        InitramfsImage out = installed.image();
        out = appendModuleNames(out, modules, changes);
        for (CpioEntry e : image.entries()) {
            String p = e.path();
            if (e.isRegular() && ((p.startsWith(CONF_DIR) && !p.substring(CONF_DIR.length()).contains("/"))
                    || p.equals(INITRAMFS_CONF))) {
                out = mapAssignments(out, e, deviceMap, changes);
            }
        }
        return new Rebuilt(out, changes);
    }

    private static InitramfsImage appendModuleNames(InitramfsImage image, Collection<String> modules, List<String> changes) {
        Optional<CpioEntry> existing = image.find(CONF_MODULES);
        String text = existing.map(e -> new String(e.data(), StandardCharsets.UTF_8)).orElse("");
        Set<String> listed = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (!words[0].isEmpty() && !words[0].startsWith("#")) {
                listed.add(ModuleFile.canonical(words[0]));
            }
        }
        StringBuilder add = new StringBuilder();
        for (String m : modules) {
            if (listed.add(ModuleFile.canonical(m))) {
                add.append(m).append('\n');
            }
        }
        if (add.isEmpty()) {
            return image;
        }
        String updated = (text.isEmpty() || text.endsWith("\n") ? text : text + "\n") + add;
        changes.add(CONF_MODULES + ": added " + add.toString().trim().replace('\n', ' '));
        int permissions = existing.map(e -> e.mode() & CpioEntry.PERMISSIONS).orElse(0644);
        return image.replaceFile(CONF_MODULES, updated.getBytes(StandardCharsets.UTF_8), permissions);
    }

    /** Maps Xen devices in the KEY=VALUE lines of a sourced shell file. */
    private static InitramfsImage mapAssignments(InitramfsImage image, CpioEntry file,
            Function<String, Optional<String>> deviceMap, List<String> changes) {
        String text = new String(file.data(), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        boolean changed = false;
        for (String line : text.split("(?<=\n)", -1)) {
            int eq = line.indexOf('=');
            String key = eq > 0 ? line.substring(0, eq).trim() : "";
            if (eq > 0 && key.matches("[A-Za-z_][A-Za-z0-9_]*") && XenDeviceNames.isXen(line.substring(eq + 1))) {
                String value = line.substring(eq + 1);
                Optional<String> mapped = XenDeviceNames.map(value, deviceMap);
                String newValue;
                if (mapped.isPresent()) {
                    newValue = mapped.get();
                } else if (key.equals("RESUME")) {
                    // No swap device on KVM under that name: resuming from it would wait for a disk that never comes.
                    newValue = "none" + (value.endsWith("\n") ? "\n" : "");
                } else {
                    out.append(line);
                    changes.add(file.path() + ": " + line.trim() + " left as it is: no KVM device for it");
                    continue;
                }
                String newLine = line.substring(0, eq + 1) + newValue;
                changes.add(file.path() + ": " + line.trim() + " -> " + newLine.trim());
                out.append(newLine);
                changed = true;
            } else {
                out.append(line);
            }
        }
        if (!changed) {
            return image;
        }
        return image.replaceFile(file.path(), out.toString().getBytes(StandardCharsets.UTF_8), file.mode() & CpioEntry.PERMISSIONS);
    }
}
