package org.xen2kvm.kmod;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code depmod} writes into {@code /lib/modules/RELEASE}, written natively: modules.dep,
 * modules.alias, modules.softdep, modules.symbols, modules.devname as text, and the binary
 * indexes kmod's modprobe actually reads (modules.dep.bin, modules.alias.bin,
 * modules.symbols.bin, modules.builtin.bin, modules.builtin.alias.bin, see
 * {@link ModuleIndexWriter}). The content and order follow kmod 30's depmod, so the text files
 * and indexes come out as depmod's for the same tree, except modules.symbols, whose lines depmod
 * writes in hash-table order (here: sorted).
 */
public final class DepmodFiles {
    public static final String MODULES_DEP = "modules.dep";
    public static final String MODULES_DEP_BIN = "modules.dep.bin";
    public static final String MODULES_ALIAS = "modules.alias";
    public static final String MODULES_ALIAS_BIN = "modules.alias.bin";
    public static final String MODULES_SOFTDEP = "modules.softdep";
    public static final String MODULES_SYMBOLS = "modules.symbols";
    public static final String MODULES_SYMBOLS_BIN = "modules.symbols.bin";
    public static final String MODULES_BUILTIN_BIN = "modules.builtin.bin";
    public static final String MODULES_BUILTIN_ALIAS_BIN = "modules.builtin.alias.bin";
    public static final String MODULES_DEVNAME = "modules.devname";
    static final String SYMBOL_PREFIX = "symbol:";

    private DepmodFiles() {
    }

    /**
     * depmod's output for the whole tree.
     *
     * @return file name (relative to {@code /lib/modules/RELEASE}) to content, in depmod's order of writing
     * @throws ModuleFormatException if a name or alias cannot go into kmod's index (not 7-bit ASCII)
     */
    public static Map<String, byte[]> generate(ModuleTree tree) throws ModuleFormatException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        List<KernelModule> mods = tree.modules();
        DepmodOrder deps = tree.dependencies();
        String where = ModuleTree.MODULES_DIR + "/" + tree.release();

        StringBuilder dep = new StringBuilder();
        ModuleIndexWriter depBin = new ModuleIndexWriter(MODULES_DEP_BIN);
        for (int i = 0; i < mods.size(); i++) {
            StringBuilder line = new StringBuilder(mods.get(i).path()).append(':');
            for (int d : deps.all(i)) {
                line.append(' ').append(mods.get(d).path());
            }
            dep.append(line).append('\n');
            depBin.insert(mods.get(i).name(), line.toString(), i, where + "/" + mods.get(i).path());
        }
        out.put(MODULES_DEP, text(dep));
        out.put(MODULES_DEP_BIN, depBin.toBytes());

        StringBuilder alias = new StringBuilder("# Aliases extracted from modules themselves.\n");
        ModuleIndexWriter aliasBin = new ModuleIndexWriter(MODULES_ALIAS_BIN);
        for (int i = 0; i < mods.size(); i++) {
            KernelModule m = mods.get(i);
            for (String a : m.info().aliases()) {
                alias.append("alias ").append(a).append(' ').append(m.name()).append('\n');
                String key = ModuleNames.normalizeAlias(a);
                if (key != null) { // depmod leaves an alias with unmatched brackets out of the index
                    aliasBin.insert(key, m.name(), i, where + "/" + m.path());
                }
            }
        }
        out.put(MODULES_ALIAS, text(alias));
        out.put(MODULES_ALIAS_BIN, aliasBin.toBytes());

        StringBuilder softdep = new StringBuilder("# Soft dependencies extracted from modules themselves.\n");
        for (KernelModule m : mods) {
            for (String s : m.info().softdeps()) {
                softdep.append("softdep ").append(m.name()).append(' ').append(s).append('\n');
            }
        }
        out.put(MODULES_SOFTDEP, text(softdep));

        // An exported symbol belongs to the last module (in module order) exporting it, as in depmod.
        Map<String, Integer> owner = new java.util.TreeMap<>();
        for (int i = 0; i < mods.size(); i++) {
            for (String s : mods.get(i).info().exportedSymbols()) {
                owner.put(s, i);
            }
        }
        StringBuilder symbols = new StringBuilder("# Aliases for symbols, used by symbol_request().\n");
        ModuleIndexWriter symbolsBin = new ModuleIndexWriter(MODULES_SYMBOLS_BIN);
        for (Map.Entry<String, Integer> e : owner.entrySet()) {
            KernelModule m = mods.get(e.getValue());
            symbols.append("alias ").append(SYMBOL_PREFIX).append(e.getKey()).append(' ').append(m.name()).append('\n');
            symbolsBin.insert(SYMBOL_PREFIX + e.getKey(), m.name(), e.getValue(), where + "/" + m.path());
        }
        out.put(MODULES_SYMBOLS, text(symbols));
        out.put(MODULES_SYMBOLS_BIN, symbolsBin.toBytes());

        List<String> builtin = tree.builtinLines();
        if (builtin != null) {
            ModuleIndexWriter builtinBin = new ModuleIndexWriter(MODULES_BUILTIN_BIN);
            for (String line : builtin) {
                builtinBin.insert(ModuleNames.fromPath(line), "", 0, where + "/" + ModuleTree.MODULES_BUILTIN);
            }
            out.put(MODULES_BUILTIN_BIN, builtinBin.toBytes());
        }
        List<ModuleTree.BuiltinModule> builtinModinfo = tree.builtinModinfo();
        if (builtinModinfo != null) {
            // The aliases of built-in modules (fs-ext4 -> ext4), from modules.builtin.modinfo;
            // depmod writes the file only when there is at least one.
            ModuleIndexWriter builtinAlias = new ModuleIndexWriter(MODULES_BUILTIN_ALIAS_BIN);
            String from = where + "/" + ModuleTree.MODULES_BUILTIN_MODINFO;
            int count = 0;
            for (ModuleTree.BuiltinModule b : builtinModinfo) {
                for (String a : b.aliases()) {
                    String key = ModuleNames.normalizeAlias(a);
                    if (key != null) {
                        builtinAlias.insert(key, b.name(), 0, from);
                        count++;
                    }
                }
            }
            if (count > 0) {
                out.put(MODULES_BUILTIN_ALIAS_BIN, builtinAlias.toBytes());
            }
        }

        out.put(MODULES_DEVNAME, text(devname(mods)));
        return out;
    }

    /**
     * depmod's output for an initramfs holding only {@code subset} of the tree's modules (with the
     * tree's modules.order and built-in lists), as depmod run on that initramfs writes it.
     *
     * @throws IllegalArgumentException if a module of {@code subset} is not one of the tree's
     * @throws ModuleFormatException as {@link #generate(ModuleTree)}
     */
    public static Map<String, byte[]> generate(ModuleTree tree, Collection<KernelModule> subset) throws ModuleFormatException {
        return generate(tree.restrictedTo(subset));
    }

    /**
     * modules.devname: a module with a {@code devname:} alias and a {@code char-major-M-N} or
     * {@code block-major-M-N} alias gets a line {@code name devname cM:N} (udev-less /dev setup).
     */
    private static StringBuilder devname(List<KernelModule> mods) {
        StringBuilder sb = new StringBuilder();
        for (KernelModule m : mods) {
            String dev = null;
            char type = 0;
            long[] majorMinor = null;
            for (String a : m.info().aliases()) {
                long[] mm;
                if (a.startsWith("devname:")) {
                    dev = a.substring("devname:".length());
                } else if ((mm = majorMinor(a, "char-major-")) != null) {
                    type = 'c';
                    majorMinor = mm;
                } else if ((mm = majorMinor(a, "block-major-")) != null) {
                    type = 'b';
                    majorMinor = mm;
                }
                if (type != 0 && dev != null) {
                    break;
                }
            }
            if (dev != null && type != 0) {
                if (sb.length() == 0) {
                    sb.append("# Device nodes to trigger on-demand module loading.\n");
                }
                sb.append(m.name()).append(' ').append(dev).append(' ').append(type)
                        .append(majorMinor[0]).append(':').append(majorMinor[1]).append('\n');
            }
        }
        return sb;
    }

    /** "char-major-10-229" -> {10, 229} (sscanf "%u-%u": digits, then anything after is ignored). */
    private static long[] majorMinor(String alias, String prefix) {
        if (!alias.startsWith(prefix)) {
            return null;
        }
        int i = prefix.length();
        int j = digits(alias, i);
        if (j == i || j >= alias.length() || alias.charAt(j) != '-') {
            return null;
        }
        int k = digits(alias, j + 1);
        if (k == j + 1) {
            return null;
        }
        try {
            long major = Long.parseLong(alias.substring(i, j));
            long minor = Long.parseLong(alias.substring(j + 1, k));
            if (major > 0xFFFFFFFFL || minor > 0xFFFFFFFFL) {
                return null;
            }
            return new long[] {major, minor};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int digits(String s, int from) {
        int i = from;
        while (i < s.length() && i - from < 10 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    private static byte[] text(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
