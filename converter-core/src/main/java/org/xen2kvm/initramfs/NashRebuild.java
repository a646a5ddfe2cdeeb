package org.xen2kvm.initramfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Rebuilds a RHEL 5 / CentOS 5 mkinitrd image (gzip newc, {@code /init} a nash script) for KVM.
 * mkinitrd copies each module flat into {@code /lib/} and loads it with an
 * {@code echo "Loading X.ko module"} / {@code insmod /lib/X.ko} pair, in dependency order,
 * before {@code mkblkdevs} creates the block device nodes that {@code lvm vgchange},
 * {@code resume} and {@code mkrootdev} then use. The rebuild adds the missing modules the same
 * way after the last existing insmod (or before the first block device use), adds a
 * {@code mkblkdevs} when none follows, and maps Xen device names on {@code mkrootdev} and
 * {@code resume} lines; a resume from a disk that has no KVM name is removed. The xenblk lines
 * stay: insmod of a module the kernel cannot use fails and nash carries on.
 * Built from the documented format only: no RHEL 5 image could be fetched to compare with.
 */
public final class NashRebuild {
    static final String INIT = "init";
    static final String MODULE_DIR = "lib/";
    /** Script commands that need the block devices in place. */
    private static final Pattern BLOCK_USE = Pattern.compile("^\\s*(lvm|resume|mkrootdev|mount /sysroot|rmparts|dmraid)\\b.*");
    private static final Pattern INSMOD = Pattern.compile("^\\s*insmod\\s+/lib/(\\S+)(\\s.*)?$");
    private static final Pattern MKBLKDEVS = Pattern.compile("^\\s*mkblkdevs\\s*$");

    private NashRebuild() {
    }

    /**
     * @param image     the image as read
     * @param supply    modules of the kernel the image is for
     * @param modules   what the KVM guest needs at boot ("virtio_pci", "virtio_blk")
     * @param deviceMap Xen device ("/dev/xvda1") to the KVM guest's, empty when it has none
     * @throws InitramfsFormatException when the image has no nash /init
     * @throws IOException from the module supply
     */
    public static Rebuilt rebuild(InitramfsImage image, ModuleSupply supply, Collection<String> modules,
            Function<String, Optional<String>> deviceMap) throws IOException {
        CpioEntry init = image.find(INIT).filter(CpioEntry::isRegular).orElseThrow(
                () -> new InitramfsFormatException("initrd: no /init script; not a mkinitrd (nash) image"));
        String script = new String(init.data(), StandardCharsets.ISO_8859_1);
        if (!script.startsWith("#!/bin/nash")) {
            throw new InitramfsFormatException("initrd: /init starts with "
                    + CpioNewc.printable(script.lines().findFirst().orElse("")) + ", not #!/bin/nash");
        }
        List<String> lines = new ArrayList<>(script.lines().toList());
        Set<String> loaded = new HashSet<>();
        int lastInsmod = -1;
        int firstUse = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            var m = INSMOD.matcher(lines.get(i));
            if (m.matches()) {
                String name = ModuleFile.nameOf(m.group(1));
                if (name != null) {
                    loaded.add(name);
                }
                if (i < firstUse) {
                    lastInsmod = i;
                }
            } else if (firstUse == lines.size() && BLOCK_USE.matcher(lines.get(i)).matches()) {
                firstUse = i;
            }
        }
        List<String> changes = new ArrayList<>();
        InitramfsImage out = image;
        List<String> insert = new ArrayList<>();
        long mtime = image.newestMtime();
        for (ModuleFile m : supply.loadOrder(modules)) {
            String path = MODULE_DIR + m.fileName();
            if (image.find(path).isEmpty()) {
                out = out.put(CpioEntry.file(path, 0644, mtime, m.data()));
                changes.add("added " + path);
            }
            if (loaded.add(m.name())) {
                insert.add("echo \"Loading " + m.fileName() + " module\"");
                insert.add("insmod /" + path);
            }
        }
        int at = lastInsmod >= 0 ? lastInsmod + 1 : firstUse;
        if (!insert.isEmpty()) {
            boolean nodesFollow = false;
            for (int i = at; i < firstUse; i++) {
                nodesFollow |= MKBLKDEVS.matcher(lines.get(i)).matches();
            }
            if (!nodesFollow) {
                insert.add("mkblkdevs");
            }
            lines.addAll(at, insert);
            changes.add("init: insmod " + String.join(", ", insert.stream().filter(l -> l.startsWith("insmod"))
                    .map(l -> l.substring(l.lastIndexOf('/') + 1)).toList()) + " before the first block device use");
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (!(trimmed.startsWith("mkrootdev") || trimmed.startsWith("resume")) || !XenDeviceNames.isXen(line)) {
                continue;
            }
            Optional<String> mapped = XenDeviceNames.map(line, deviceMap);
            if (mapped.isPresent()) {
                lines.set(i, mapped.get());
                changes.add("init: " + trimmed + " -> " + mapped.get().strip());
            } else if (trimmed.startsWith("resume")) {
                lines.remove(i--);
                changes.add("init: removed " + trimmed + " (no KVM device for it)");
            } else {
                changes.add("init: " + trimmed + " left as it is: no KVM device for it");
            }
        }
        String newScript = String.join("\n", lines) + (script.endsWith("\n") ? "\n" : "");
        if (!newScript.equals(script)) {
            out = out.replaceFile(INIT, newScript.getBytes(StandardCharsets.ISO_8859_1), init.mode() & CpioEntry.PERMISSIONS);
        }
        return new Rebuilt(out, changes);
    }
}
