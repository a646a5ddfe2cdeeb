package org.xen2kvm.initramfs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adds modules, with what they depend on, under a module directory of an image
 * ("usr/lib/modules/6.1.0-13-amd64"), and writes the indexes for the modules the image then
 * holds, as initramfs-tools and dracut lay them out.
 */
final class ModuleInstaller {
    private ModuleInstaller() {
    }

    /** The image after the install, the modules added, and the change lines. */
    record Installed(InitramfsImage image, List<ModuleFile> added, List<String> changes) {
    }

    /** The module directory the image already uses for {@code release}, or the one its layout implies. */
    static String moduleDir(InitramfsImage image, String release) {
        for (String dir : List.of("usr/lib/modules/" + release, "lib/modules/" + release)) {
            if (image.hasTree(dir)) {
                return dir;
            }
        }
        // A merged-/usr image has "lib -> usr/lib"; writing under lib/ would replace that link.
        boolean merged = image.find("lib").map(CpioEntry::isSymlink).orElse(false);
        return (merged ? "usr/lib/modules/" : "lib/modules/") + release;
    }

    static Installed install(InitramfsImage image, String moduleDir, ModuleSupply supply, Collection<String> names)
            throws IOException {
        Map<String, ModuleFile> present = new LinkedHashMap<>();
        String prefix = moduleDir + "/";
        for (CpioEntry e : image.entries()) {
            String name = ModuleFile.nameOf(e.path());
            if (e.isRegular() && e.path().startsWith(prefix) && name != null) {
                String rel = e.path().substring(prefix.length());
                present.put(rel, new ModuleFile(name, rel, e.data()));
            }
        }
        List<String> changes = new ArrayList<>();
        List<ModuleFile> added = new ArrayList<>();
        long mtime = image.newestMtime();
        InitramfsImage out = image;
        for (ModuleFile m : supply.loadOrder(names)) {
            if (present.containsKey(m.relativePath())) {
                continue;
            }
            out = out.put(CpioEntry.file(prefix + m.relativePath(), 0644, mtime, m.data()));
            present.put(m.relativePath(), m);
            added.add(m);
            changes.add("added " + prefix + m.relativePath());
        }
        if (added.isEmpty()) {
            return new Installed(image, added, changes);
        }
        for (Map.Entry<String, byte[]> index : new TreeMap<>(supply.indexFiles(new ArrayList<>(present.values()))).entrySet()) {
            String path = prefix + index.getKey();
            if (image.find(path).isPresent()) {
                out = out.replaceFile(path, index.getValue(), 0644);
                changes.add("rewrote " + path);
            } else {
                out = out.put(CpioEntry.file(path, 0644, mtime, index.getValue()));
                changes.add("added " + path);
            }
        }
        return new Installed(out, added, changes);
    }
}
