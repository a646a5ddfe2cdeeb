package org.xen2kvm.guest;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * The names of the module files installed for one kernel, by a walk of
 * {@code /lib/modules/<release>} (its {@code kernel/}, {@code updates/}, {@code extra/},
 * {@code weak-updates/} alike). The files are the truth: {@code modules.dep} may be stale
 * after modules were removed by hand. A full module tree has about 4,000 files in 400
 * directories; the walk stops at bounds a hostile tree cannot stretch.
 */
final class ModuleFiles {
    /** Directories and files visited per kernel; a distribution kernel has under 10,000. */
    static final int MAX_ENTRIES = 50_000;
    /** {@code kernel/drivers/net/ethernet/intel/ice/} is six levels deep. */
    static final int MAX_DEPTH = 12;
    private static final String[] SUFFIXES = {".ko", ".ko.xz", ".ko.zst", ".ko.gz"};

    /**
     * Where the kernel's build installs a module under {@code /lib/modules/<release>/kernel}
     * (the same since virtio came in 2.6.24), so that the usual case needs no walk.
     */
    private static final java.util.Map<String, String> KNOWN = java.util.Map.of(
            "virtio_blk", "drivers/block/virtio_blk",
            "virtio_net", "drivers/net/virtio_net",
            "virtio_pci", "drivers/virtio/virtio_pci",
            "virtio_pci_modern_dev", "drivers/virtio/virtio_pci_modern_dev",
            "virtio_pci_legacy_dev", "drivers/virtio/virtio_pci_legacy_dev");

    private ModuleFiles() {
    }

    /**
     * Which of {@code wanted} have a module file for the kernel, or empty when the kernel has no
     * module directory. Each is looked for where the kernel's build puts it first; only when one
     * is not there does the whole tree get walked ({@link #names}), since a distribution or
     * DKMS may put it in {@code updates/} or {@code extra/}. A walk of a Debian kernel's 4,000
     * modules takes about 0.2 s here; the known paths take milliseconds.
     *
     * @param walkWhenMissing false to trust the known paths alone (helpers that only ever sit there)
     * @throws IOException on a filesystem error
     */
    static Optional<Set<String>> present(GuestFileSystem fs, String release, java.util.Collection<String> wanted,
                                         boolean walkWhenMissing) throws IOException {
        String top = "/lib/modules/" + release;
        if (release.contains("/") || !isDir(fs, top)) {
            return Optional.empty();
        }
        Set<String> out = new HashSet<>();
        boolean allFound = true;
        for (String m : wanted) {
            String known = KNOWN.get(m);
            boolean found = false;
            for (int i = 0; known != null && i < SUFFIXES.length && !found; i++) {
                found = fs.lstat(top + "/kernel/" + known + SUFFIXES[i]).isPresent();
            }
            if (found) {
                out.add(m);
            }
            allFound &= found;
        }
        if (!allFound && walkWhenMissing) {
            Set<String> all = names(fs, release).orElse(Set.of());
            for (String m : wanted) {
                if (all.contains(m)) {
                    out.add(m);
                }
            }
        }
        return Optional.of(out);
    }

    /**
     * Module names ({@code virtio_blk}, dashes as underscores, as modprobe compares them), or
     * empty when the kernel has no module directory.
     *
     * @throws IOException on a filesystem error (corruption)
     */
    static Optional<Set<String>> names(GuestFileSystem fs, String release) throws IOException {
        String top = "/lib/modules/" + release;
        if (release.contains("/") || !isDir(fs, top)) {
            return Optional.empty();
        }
        Set<String> out = new HashSet<>();
        Deque<String> dirs = new ArrayDeque<>();
        Deque<Integer> depths = new ArrayDeque<>();
        dirs.push(top);
        depths.push(0);
        int visited = 0;
        while (!dirs.isEmpty() && visited < MAX_ENTRIES) {
            String dir = dirs.pop();
            int depth = depths.pop();
            for (String n : fs.list(dir)) {
                if (++visited > MAX_ENTRIES) {
                    break;
                }
                String moduleName = moduleName(n);
                if (moduleName != null) {
                    out.add(moduleName);
                } else if (depth < MAX_DEPTH && !n.equals("build") && !n.equals("source")
                        && !n.startsWith(".")) {
                    // build and source are symlinks to kernel headers, which hold no modules.
                    Optional<FileInfo> st = fs.lstat(dir + "/" + n);
                    if (st.isPresent() && st.get().type() == FileType.DIRECTORY) {
                        dirs.push(dir + "/" + n);
                        depths.push(depth + 1);
                    }
                }
            }
        }
        return Optional.of(out);
    }

    /** {@code virtio_blk} for {@code virtio_blk.ko.xz}, or null for no module file name. */
    static String moduleName(String fileName) {
        for (String s : SUFFIXES) {
            if (fileName.endsWith(s) && fileName.length() > s.length()) {
                return fileName.substring(0, fileName.length() - s.length()).replace('-', '_');
            }
        }
        return null;
    }

    private static boolean isDir(GuestFileSystem fs, String path) throws IOException {
        return fs.stat(path).map(i -> i.type() == FileType.DIRECTORY).orElse(false);
    }
}
