package org.xen2kvm.kernel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.initramfs.ModuleFile;
import org.xen2kvm.initramfs.ModuleSupply;
import org.xen2kvm.kmod.DepmodFiles;
import org.xen2kvm.kmod.KernelModule;
import org.xen2kvm.kmod.ModuleDecompressor;
import org.xen2kvm.kmod.ModuleTree;

/**
 * The modules of one kernel release in the guest ({@code /lib/modules/RELEASE}) as the
 * initramfs rebuilders want them: files in modprobe's load order without the built-ins, and
 * the indexes depmod would write for the modules an image holds, with {@code modules.order},
 * {@code modules.builtin} and {@code modules.builtin.modinfo} copied as they are (mkinitramfs and
 * dracut copy them before running depmod on the image, which needs them).
 */
public final class KmodModuleSupply implements ModuleSupply {
    /** The lists depmod reads but does not write; an initramfs carries them as the tree has them. */
    static final List<String> COPIED_LISTS = List.of("modules.order", "modules.builtin", "modules.builtin.modinfo");
    /** modules.builtin.modinfo of a distribution kernel is ~400 KiB. */
    static final int MAX_LIST_BYTES = 16 << 20;

    private final GuestFileSystem fs;
    private final ModuleTree tree;

    public KmodModuleSupply(GuestFileSystem fs, ModuleTree tree) {
        this.fs = fs;
        this.tree = tree;
    }

    /**
     * Reads the module tree of {@code release}.
     *
     * @throws IOException as {@link ModuleTree#scan}: no module directory, a corrupt module, a read error
     */
    public static KmodModuleSupply scan(GuestFileSystem fs, String release) throws IOException {
        return new KmodModuleSupply(fs, ModuleTree.scan(fs, release));
    }

    public ModuleTree tree() {
        return tree;
    }

    private String base() {
        return ModuleTree.MODULES_DIR + "/" + tree.release();
    }

    /**
     * @throws IOException naming the first name that is neither a module, an alias nor built in,
     *         or a module file that cannot be read
     */
    @Override
    public List<ModuleFile> loadOrder(Collection<String> names) throws IOException {
        List<KernelModule> order;
        try {
            order = tree.loadOrder(names);
        } catch (ModuleTree.UnknownModuleException e) {
            throw new IOException(e.getMessage(), e);
        }
        List<ModuleFile> out = new ArrayList<>(order.size());
        for (KernelModule m : order) {
            byte[] data = fs.readFile(base() + "/" + m.path(), ModuleDecompressor.MAX_MODULE_BYTES);
            out.add(new ModuleFile(m.name(), m.path(), data));
        }
        return out;
    }

    /**
     * The indexes for the modules of {@code included} that are this tree's (same name and path);
     * a file the tree does not have (left in an image from an older build) is not indexed, as
     * depmod on the image would index it only if it could read it as this kernel's.
     */
    @Override
    public Map<String, byte[]> indexFiles(List<ModuleFile> included) throws IOException {
        List<KernelModule> subset = new ArrayList<>();
        for (ModuleFile f : included) {
            Optional<KernelModule> m = tree.module(f.name());
            if (m.isPresent() && m.get().path().equals(f.relativePath())) {
                subset.add(m.get());
            }
        }
        Map<String, byte[]> out = new TreeMap<>(DepmodFiles.generate(tree, subset));
        for (String list : COPIED_LISTS) {
            String path = base() + "/" + list;
            Optional<FileInfo> st = fs.stat(path);
            if (st.isPresent() && st.get().type() == FileType.REGULAR) {
                out.put(list, fs.readFile(path, MAX_LIST_BYTES));
            }
        }
        return out;
    }
}
