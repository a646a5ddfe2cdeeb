package org.xen2kvm.initramfs;

import java.util.Arrays;
import java.util.Objects;

/**
 * A kernel module to put into an initramfs.
 *
 * @param name         the module's name as kmod spells it (underscores: "virtio_pci")
 * @param relativePath its path under /lib/modules/RELEASE ("kernel/drivers/virtio/virtio_pci.ko")
 * @param data         the file's bytes, compressed or not as its suffix says
 */
public record ModuleFile(String name, String relativePath, byte[] data) {
    private static final String[] SUFFIXES = {".ko", ".ko.xz", ".ko.zst", ".ko.gz"};

    public ModuleFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(relativePath, "relativePath");
        Objects.requireNonNull(data, "data");
    }

    /** The file name without directories ("virtio_pci.ko"). */
    public String fileName() {
        return relativePath.substring(relativePath.lastIndexOf('/') + 1);
    }

    /** kmod treats '-' and '_' in module names alike; this is the underscore form. */
    public static String canonical(String moduleName) {
        return moduleName.replace('-', '_');
    }

    /** The module name of a file name ("xen-blkfront.ko.xz" -> "xen_blkfront"), or null when it is no module. */
    public static String nameOf(String fileName) {
        String base = fileName.substring(fileName.lastIndexOf('/') + 1);
        for (String suffix : SUFFIXES) {
            if (base.endsWith(suffix) && base.length() > suffix.length()) {
                return canonical(base.substring(0, base.length() - suffix.length()));
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModuleFile m && name.equals(m.name) && relativePath.equals(m.relativePath) && Arrays.equals(data, m.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, relativePath);
    }

    @Override
    public String toString() {
        return name + " (" + relativePath + ", " + data.length + " bytes)";
    }
}
