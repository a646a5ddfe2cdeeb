package org.xen2kvm.kmod;

/**
 * One module file of a kernel release.
 *
 * @param name normalized module name ({@code dm_mod}), from the file name as kmod names it
 * @param path path relative to {@code /lib/modules/RELEASE}, as depmod writes it
 *             ({@code kernel/drivers/block/virtio_blk.ko.xz})
 * @param info what the module says about itself
 */
public record KernelModule(String name, String path, ModuleInfo info) {

    /** The path without its compression suffix ({@code .../virtio_blk.ko}), as modules.order lists it. */
    public String uncompressedPath() {
        ModuleDecompressor.Compression c = ModuleDecompressor.Compression.of(path);
        return c == null ? path : path.substring(0, path.length() - c.suffix().length()) + ".ko";
    }
}
