package org.xen2kvm.initramfs;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where the rebuilders get modules and their indexes from: the kernel's module tree (in the
 * guest, or from a kernel package), read by org.xen2kvm.kmod.
 */
public interface ModuleSupply {
    /**
     * The named modules and everything they depend on, each dependency before the modules that
     * need it (the order insmod must follow).
     *
     * @param names module names, '-' and '_' alike
     * @throws IOException when a module is missing from the tree or cannot be read; the message
     *         names it
     */
    List<ModuleFile> loadOrder(Collection<String> names) throws IOException;

    /**
     * The files depmod would write for a tree holding exactly {@code included}: "modules.dep",
     * "modules.dep.bin", "modules.alias.bin", ... keyed by their names under
     * /lib/modules/RELEASE.
     *
     * @throws IOException when a module cannot be read
     */
    Map<String, byte[]> indexFiles(List<ModuleFile> included) throws IOException;
}
