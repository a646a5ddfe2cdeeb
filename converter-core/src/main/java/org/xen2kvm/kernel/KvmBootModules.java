package org.xen2kvm.kernel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.VirtioDrivers;
import org.xen2kvm.kmod.KernelModule;
import org.xen2kvm.kmod.ModuleTree;

/**
 * The modules a kernel must find in its initramfs to mount its root on KVM: the virtio PCI
 * transport (and, since 5.14, the virtio_pci_modern_dev/legacy_dev libraries it is split into),
 * the disk drivers, the root filesystem's module and, for a root LV, device-mapper. udev loads
 * virtio_net from the root filesystem later, so it is not among them.
 */
final class KvmBootModules {
    /** One module the initramfs should carry unless the kernel has it built in. */
    record Wanted(String name, boolean required) {
    }

    private KvmBootModules() {
    }

    static List<Wanted> wanted(VirtioInitramfs.Needs needs) {
        List<Wanted> out = new ArrayList<>(List.of(new Wanted("virtio_pci", true), new Wanted("virtio_pci_modern_dev", false),
                new Wanted("virtio_pci_legacy_dev", false), new Wanted("virtio_blk", true), new Wanted("virtio_scsi", false)));
        needs.rootFsType().ifPresent(t -> out.add(new Wanted(t, false)));
        if (needs.rootOnLvm()) {
            out.add(new Wanted("dm_mod", true));
        }
        return out;
    }

    /**
     * Whether some required module is neither in the image nor listed as built in, without
     * reading the module tree (which costs seconds): when false, the image needs no module.
     * The optional ones come with virtio_pci (its dependencies) or are not needed.
     */
    static boolean maybeMissing(GuestFileSystem fs, String release, Collection<String> inImage, VirtioInitramfs.Needs needs)
            throws IOException {
        for (Wanted w : wanted(needs)) {
            boolean fsModule = needs.rootFsType().map(w.name()::equals).orElse(false);
            if ((w.required() || fsModule) && !inImage.contains(w.name()) && !VirtioDrivers.builtIn(fs, release, w.name())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The module names (module files, not built-ins) the initramfs of {@code tree}'s kernel must
     * hold, in load order of the list above.
     *
     * @param notes receives what was not found but is not needed to boot (a filesystem module the
     *              tree neither has nor lists as built in is assumed built in)
     * @throws InitramfsRefusedException when a required module is neither a module nor built in
     */
    static List<String> resolve(GuestFileSystem fs, ModuleTree tree, VirtioInitramfs.Needs needs, List<String> notes)
            throws IOException {
        List<String> out = new ArrayList<>();
        for (Wanted w : wanted(needs)) {
            boolean fsModule = needs.rootFsType().map(w.name()::equals).orElse(false);
            Optional<String> name = fsModule ? filesystemModule(tree, w.name()) : Optional.of(w.name());
            if (name.isPresent() && tree.module(name.get()).isPresent()) {
                if (!out.contains(name.get())) {
                    out.add(name.get());
                }
                continue;
            }
            boolean builtIn = tree.isBuiltin(w.name()) || (fsModule && tree.isBuiltin("fs-" + w.name()))
                    || VirtioDrivers.builtIn(fs, tree.release(), w.name());
            if (builtIn || !w.required() && !fsModule) {
                continue;
            }
            if (fsModule) {
                notes.add("kernel " + tree.release() + ": no module for the root filesystem type " + w.name()
                        + "; assumed built in");
                continue;
            }
            throw new InitramfsRefusedException("kernel " + tree.release() + " has no " + w.name() + " module in "
                    + ModuleTree.MODULES_DIR + "/" + tree.release() + " and does not list it as built in; it cannot "
                    + (w.name().equals("dm_mod") ? "activate its root LV" : "reach its root disk on virtio")
                    + " (install a kernel that has it: --install-kernel)");
        }
        return out;
    }

    /** The module that mounts filesystem {@code type}: its own, or the one with the alias fs-TYPE (ext3 by ext4). */
    private static Optional<String> filesystemModule(ModuleTree tree, String type) {
        if (tree.module(type).isPresent()) {
            return Optional.of(type);
        }
        String alias = "fs-" + type;
        if (!tree.has(alias) || tree.isBuiltin(alias)) {
            return Optional.empty();
        }
        for (KernelModule m : tree.loadOrder(List.of(alias))) {
            if (m.info().aliases().contains(alias)) {
                return Optional.of(m.name());
            }
        }
        return Optional.empty();
    }

    /** A filesystem type as fstab spells it, as a module name ("ext4"), or empty for none ("auto", "none", ""). */
    static Optional<String> moduleOfType(String fsType) {
        if (fsType == null) {
            return Optional.empty();
        }
        String t = fsType.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("auto") || t.equals("none") || !t.matches("[a-z0-9_]{1,32}")) {
            return Optional.empty();
        }
        return Optional.of(t);
    }
}
