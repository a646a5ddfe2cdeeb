package org.xen2kvm.kmod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * The modules of one kernel release in a guest ({@code /lib/modules/RELEASE}, through the guest's
 * own symlinks, so a usrmerged {@code /lib -> usr/lib} works), with its {@code modules.order},
 * {@code modules.builtin} and {@code modules.builtin.modinfo}. Modules are kept in depmod's
 * order (modules.order first, then the rest by path), and dependencies are depmod's (from
 * symbols, see {@link DepmodOrder}); {@link #loadOrder} answers what {@code modprobe} would load.
 */
public final class ModuleTree {
    /** Where releases live in the guest. */
    public static final String MODULES_DIR = "/lib/modules";
    static final String MODULES_ORDER = "modules.order";
    static final String MODULES_BUILTIN = "modules.builtin";
    static final String MODULES_BUILTIN_MODINFO = "modules.builtin.modinfo";
    /** depmod numbers modules with 16 bits. */
    static final int MAX_MODULES = 65534;
    /** Directory entries walked before giving up on a tree (a real one has ~10,000). */
    static final int MAX_ENTRIES = 500_000;
    static final int MAX_DEPTH = 32;
    static final int MAX_LIST_BYTES = 16 << 20;
    /**
     * Softdeps nested deeper than this are refused (real chains are 2 or 3 long); it bounds the
     * recursion a hostile guest could make with a chain of thousands of modules.
     */
    static final int MAX_SOFTDEP_DEPTH = 256;

    /** One built-in module of modules.builtin.modinfo and its aliases. */
    record BuiltinModule(String name, List<String> aliases) {
    }

    private final String release;
    private final List<KernelModule> modules;
    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> order;
    private final List<String> builtin;
    private final List<BuiltinModule> builtinModinfo;
    private final Set<String> builtinNames = new HashSet<>();
    private final Map<String, Integer> symbolOwner = new HashMap<>();
    private final DepmodOrder deps;

    ModuleTree(String release, Collection<KernelModule> found, List<String> order, List<String> builtin,
            List<BuiltinModule> builtinModinfo) throws ModuleFormatException {
        this.release = release;
        this.order = order == null ? null : List.copyOf(order);
        this.builtin = builtin == null ? null : List.copyOf(builtin);
        this.builtinModinfo = builtinModinfo == null ? null : List.copyOf(builtinModinfo);
        this.modules = depmodOrder(unique(found), order);
        if (modules.size() > MAX_MODULES) {
            throw new ModuleFormatException(MODULES_DIR + "/" + release + ": " + modules.size()
                    + " modules, more than depmod handles (" + MAX_MODULES + ")");
        }
        for (int i = 0; i < modules.size(); i++) {
            index.put(modules.get(i).name(), i);
            for (String sym : modules.get(i).info().exportedSymbols()) {
                symbolOwner.put(sym, i);
            }
        }
        if (builtin != null) {
            for (String line : builtin) {
                builtinNames.add(ModuleNames.fromPath(line));
            }
        }
        if (builtinModinfo != null) {
            for (BuiltinModule b : builtinModinfo) {
                builtinNames.add(b.name());
            }
        }
        this.deps = new DepmodOrder(modules);
    }

    /**
     * Reads every module of {@code /lib/modules/RELEASE} and the module lists beside them.
     *
     * @throws ModuleFormatException if the release directory is missing, a module is corrupt, or
     *         the tree is beyond depmod's limits
     * @throws IOException if the guest filesystem cannot be read
     */
    public static ModuleTree scan(GuestFileSystem fs, String kernelRelease) throws IOException {
        if (kernelRelease.isEmpty() || kernelRelease.contains("/") || kernelRelease.equals(".") || kernelRelease.equals("..")) {
            throw new ModuleFormatException(fs.describe() + ": '" + kernelRelease + "' is not a kernel release name");
        }
        String base = MODULES_DIR + "/" + kernelRelease;
        Optional<FileInfo> dir = fs.stat(base);
        if (dir.isEmpty() || dir.get().type() != FileType.DIRECTORY) {
            throw new ModuleFormatException(fs.describe() + ": " + base + " is not a directory; no modules for kernel " + kernelRelease);
        }
        List<KernelModule> found = new ArrayList<>();
        walk(fs, base, "", 0, found, new int[1]);
        List<String> order = lines(fs, base + "/" + MODULES_ORDER);
        List<String> builtin = lines(fs, base + "/" + MODULES_BUILTIN);
        if (builtin != null) {
            // depmod skips (with an error) a line that does not start with a letter.
            builtin.removeIf(l -> l.isEmpty() || !Character.isLetter(l.charAt(0)) || l.charAt(0) > 127);
        }
        List<BuiltinModule> builtinModinfo = null;
        String modinfoPath = base + "/" + MODULES_BUILTIN_MODINFO;
        if (isRegular(fs, modinfoPath)) {
            builtinModinfo = parseBuiltinModinfo(fs.readFile(modinfoPath, MAX_LIST_BYTES));
        }
        return new ModuleTree(kernelRelease, found, order, builtin, builtinModinfo);
    }

    /**
     * The kernel releases that have a module directory in the guest ({@code /lib/modules/*}), sorted.
     *
     * @throws IOException if the guest filesystem cannot be read
     */
    public static List<String> releases(GuestFileSystem fs) throws IOException {
        Optional<FileInfo> dir = fs.stat(MODULES_DIR);
        if (dir.isEmpty() || dir.get().type() != FileType.DIRECTORY) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String name : fs.list(MODULES_DIR)) {
            Optional<FileInfo> st = fs.stat(MODULES_DIR + "/" + name);
            if (st.isPresent() && st.get().type() == FileType.DIRECTORY) {
                out.add(name);
            }
        }
        return out;
    }

    /** The release this tree belongs to. */
    public String release() {
        return release;
    }

    /** Every module, in depmod's order. */
    public List<KernelModule> modules() {
        return modules;
    }

    /** The module of that name (dashes or underscores), if the tree has it as a file. */
    public Optional<KernelModule> module(String name) {
        Integer i = index.get(ModuleNames.normalize(name));
        return i == null ? Optional.empty() : Optional.of(modules.get(i));
    }

    /** True when {@code moduleOrAlias} names a module file, a built-in module, or an alias of either. */
    public boolean has(String moduleOrAlias) {
        return resolve(moduleOrAlias) != null;
    }

    /** True when {@code moduleOrAlias} is built into the kernel (by name or alias) rather than a module file. */
    public boolean isBuiltin(String moduleOrAlias) {
        List<KernelModule> r = resolve(moduleOrAlias);
        return r != null && r.isEmpty();
    }

    /**
     * The modules to load, in order, so that each of {@code wanted} (module names or aliases) is
     * loaded: what {@code modprobe --show-depends} lists, without the built-ins. Dependencies come
     * from the tree's symbols (as in modules.dep), and each module's {@code softdep=} pre and post
     * modules are included around it, as modprobe does (only the first softdep= counts, as in kmod).
     * A wildcard alias matching several modules loads them all.
     *
     * @throws UnknownModuleException naming the first of {@code wanted} that is neither a module,
     *         an alias, nor built in
     * @throws org.xen2kvm.Xen2KvmException if softdeps nest deeper than {@value #MAX_SOFTDEP_DEPTH}
     */
    public List<KernelModule> loadOrder(Collection<String> wanted) {
        Set<Integer> out = new LinkedHashSet<>();
        Set<Integer> visited = new HashSet<>();
        for (String w : wanted) {
            List<KernelModule> r = resolve(w);
            if (r == null) {
                throw new UnknownModuleException(w, release);
            }
            for (KernelModule m : r) {
                probe(index.get(m.name()), visited, out, 0);
            }
        }
        List<KernelModule> result = new ArrayList<>(out.size());
        for (int i : out) {
            result.add(modules.get(i));
        }
        return result;
    }

    /** Thrown by {@link #loadOrder} for a name the tree does not know. */
    public static final class UnknownModuleException extends org.xen2kvm.Xen2KvmException {
        public UnknownModuleException(String name, String release) {
            super("kernel " + release + " has no module or alias '" + name + "' (not in " + MODULES_DIR + "/" + release
                    + ", not built in)");
        }
    }

    private void probe(int m, Set<Integer> visited, Set<Integer> out, int depth) {
        if (!visited.add(m)) {
            return;
        }
        if (depth > MAX_SOFTDEP_DEPTH) {
            throw new org.xen2kvm.Xen2KvmException(MODULES_DIR + "/" + release + "/" + modules.get(m).path()
                    + ": softdep chain deeper than " + MAX_SOFTDEP_DEPTH + " modules; refusing to follow it");
        }
        List<Integer> all = deps.all(m);
        for (int j = all.size() - 1; j >= 0; j--) {
            fillSoftdeps(all.get(j), visited, out, depth);
        }
        fillSoftdeps(m, visited, out, depth);
    }

    private void fillSoftdeps(int m, Set<Integer> visited, Set<Integer> out, int depth) {
        List<String> sd = modules.get(m).info().softdeps();
        List<List<String>> prePost = sd.isEmpty() ? List.of(List.of(), List.of()) : parseSoftdep(sd.get(0));
        for (String p : prePost.get(0)) {
            for (KernelModule k : Optional.ofNullable(resolve(p)).orElse(List.of())) {
                probe(index.get(k.name()), visited, out, depth + 1);
            }
        }
        out.add(m);
        for (String p : prePost.get(1)) {
            for (KernelModule k : Optional.ofNullable(resolve(p)).orElse(List.of())) {
                probe(index.get(k.name()), visited, out, depth + 1);
            }
        }
    }

    /** A softdep value's pre and post lists, as kmod's config parser reads them (names before any "pre:"/"post:" are ignored). */
    static List<List<String>> parseSoftdep(String value) {
        List<String> pre = new ArrayList<>();
        List<String> post = new ArrayList<>();
        List<String> current = null;
        for (String tok : value.trim().split("[ \t]+")) {
            if (tok.equals("pre:")) {
                current = pre;
            } else if (tok.equals("post:")) {
                current = post;
            } else if (current != null && !tok.isEmpty()) {
                current.add(tok);
            }
        }
        return List.of(pre, post);
    }

    /**
     * kmod's lookup of a name: a module file, a {@code symbol:} alias, a module alias (wildcards
     * matched with fnmatch, all matches in module order), a built-in module or built-in alias.
     *
     * @return the modules, an empty list for a built-in, or null when unknown
     */
    List<KernelModule> resolve(String name) {
        String n = ModuleNames.normalizeAlias(name);
        if (n == null || n.isEmpty()) {
            return null;
        }
        Integer i = index.get(n);
        if (i != null) {
            return List.of(modules.get(i));
        }
        if (n.startsWith("symbol:")) {
            Integer o = symbolOwner.get(n.substring("symbol:".length()));
            if (o != null) {
                return List.of(modules.get(o));
            }
        }
        List<KernelModule> matches = new ArrayList<>();
        for (KernelModule m : modules) {
            for (String a : m.info().aliases()) {
                String na = ModuleNames.normalizeAlias(a);
                if (na != null && Fnmatch.matches(na, n)) {
                    matches.add(m);
                    break;
                }
            }
        }
        if (!matches.isEmpty()) {
            return matches;
        }
        if (builtinNames.contains(n)) {
            return List.of();
        }
        if (builtinModinfo != null) {
            for (BuiltinModule b : builtinModinfo) {
                for (String a : b.aliases()) {
                    String na = ModuleNames.normalizeAlias(a);
                    if (na != null && Fnmatch.matches(na, n)) {
                        return List.of();
                    }
                }
            }
        }
        return null;
    }

    /** The tree restricted to {@code subset} (as depmod sees an initramfs holding only those), same lists. */
    ModuleTree restrictedTo(Collection<KernelModule> subset) throws ModuleFormatException {
        for (KernelModule m : subset) {
            Integer i = index.get(m.name());
            if (i == null || !modules.get(i).path().equals(m.path())) {
                throw new IllegalArgumentException(m.path() + " is not a module of kernel " + release);
            }
        }
        return new ModuleTree(release, subset, order, builtin, builtinModinfo);
    }

    DepmodOrder dependencies() {
        return deps;
    }

    /** Lines of modules.builtin, or null when the file is absent. */
    List<String> builtinLines() {
        return builtin;
    }

    /** Modules of modules.builtin.modinfo, or null when the file is absent. */
    List<BuiltinModule> builtinModinfo() {
        return builtinModinfo;
    }

    private static void walk(GuestFileSystem fs, String base, String rel, int depth, List<KernelModule> found, int[] entries)
            throws IOException {
        if (depth > MAX_DEPTH) {
            throw new ModuleFormatException(fs.describe() + ": " + base + "/" + rel + ": directories nested deeper than " + MAX_DEPTH);
        }
        String dir = rel.isEmpty() ? base : base + "/" + rel;
        for (String name : fs.list(dir)) {
            if (++entries[0] > MAX_ENTRIES) {
                throw new ModuleFormatException(fs.describe() + ": " + base + ": more than " + MAX_ENTRIES + " entries; not a module tree");
            }
            // depmod skips dot files and the build/source links to the kernel headers, at any depth.
            if (name.startsWith(".") || name.equals("build") || name.equals("source")) {
                continue;
            }
            String childRel = rel.isEmpty() ? name : rel + "/" + name;
            String path = base + "/" + childRel;
            // Symlinks are followed, to directories too, as depmod does (RHEL's weak-updates links
            // modules of another release); the depth and entry bounds end a symlink loop.
            Optional<FileInfo> st = fs.stat(path);
            if (st.isEmpty()) {
                continue;
            }
            if (st.get().type() == FileType.DIRECTORY) {
                walk(fs, base, childRel, depth + 1, found, entries);
            } else if (ModuleDecompressor.isModuleFile(name) && st.get().type() == FileType.REGULAR) {
                byte[] data = fs.readFile(path, ModuleDecompressor.MAX_MODULE_BYTES);
                found.add(new KernelModule(ModuleNames.fromPath(name), childRel, ModinfoReader.readFile(path, data)));
            }
        }
    }

    private static boolean isRegular(GuestFileSystem fs, String path) throws IOException {
        Optional<FileInfo> st = fs.stat(path);
        return st.isPresent() && st.get().type() == FileType.REGULAR;
    }

    private static List<String> lines(GuestFileSystem fs, String path) throws IOException {
        if (!isRegular(fs, path)) {
            return null;
        }
        String text = new String(fs.readFile(path, MAX_LIST_BYTES), StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (!l.isEmpty()) {
                out.add(l);
            }
        }
        return out;
    }

    /** modules.builtin.modinfo: NUL-separated {@code modname.key=value} strings. */
    static List<BuiltinModule> parseBuiltinModinfo(byte[] data) {
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        int i = 0;
        while (i < data.length) {
            int start = i;
            while (i < data.length && data[i] != 0) {
                i++;
            }
            String s = new String(data, start, i - start, StandardCharsets.ISO_8859_1);
            i++;
            int dot = s.indexOf('.');
            int eq = s.indexOf('=');
            if (dot <= 0 || eq < dot) {
                continue;
            }
            List<String> list = aliases.computeIfAbsent(s.substring(0, dot), k -> new ArrayList<>());
            if (s.substring(dot + 1, eq).equals("alias")) {
                list.add(s.substring(eq + 1));
            }
        }
        List<BuiltinModule> out = new ArrayList<>();
        aliases.forEach((name, list) -> out.add(new BuiltinModule(name, list)));
        return out;
    }

    /** One module per name: updates/ wins over the rest (depmod's default search order), else the first path. */
    private static List<KernelModule> unique(Collection<KernelModule> found) {
        Map<String, KernelModule> byName = new LinkedHashMap<>();
        List<KernelModule> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparing(KernelModule::path));
        for (KernelModule m : sorted) {
            KernelModule old = byName.get(m.name());
            if (old == null || (m.path().startsWith("updates/") && !old.path().startsWith("updates/"))) {
                byName.put(m.name(), m);
            }
        }
        return new ArrayList<>(byName.values());
    }

    /** Modules listed in modules.order in its order (a later line wins), then the others by path. */
    private static List<KernelModule> depmodOrder(List<KernelModule> mods, List<String> order) {
        Map<String, Integer> pos = new HashMap<>();
        if (order != null) {
            for (int i = 0; i < order.size(); i++) {
                pos.put(order.get(i), i);
            }
        }
        List<KernelModule> out = new ArrayList<>(mods);
        out.sort(Comparator.<KernelModule>comparingInt(m -> pos.getOrDefault(m.uncompressedPath(), Integer.MAX_VALUE))
                .thenComparing(KernelModule::path));
        return List.copyOf(out);
    }
}
