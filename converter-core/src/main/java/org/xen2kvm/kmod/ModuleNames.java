package org.xen2kvm.kmod;

/**
 * kmod's spelling rules for module names and aliases: a module is named by its file (up to the
 * first dot) with dashes as underscores, so {@code dm-mod.ko.xz} is {@code dm_mod}; an alias has
 * its dashes made underscores except inside {@code [...]} brackets.
 */
public final class ModuleNames {
    private ModuleNames() {
    }

    /** {@code dm-mod} -> {@code dm_mod}; also cuts at the first dot ({@code dm-mod.ko} -> {@code dm_mod}). */
    public static String normalize(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                break;
            }
            sb.append(c == '-' ? '_' : c);
        }
        return sb.toString();
    }

    /** The module name of a path: its last component, normalized ({@code kernel/md/dm-mod.ko} -> {@code dm_mod}). */
    public static String fromPath(String path) {
        return normalize(path.substring(path.lastIndexOf('/') + 1));
    }

    /**
     * An alias as kmod indexes and looks it up: dashes outside brackets become underscores.
     *
     * @return the normalized alias, or null when a bracket is unmatched (depmod leaves such an alias out)
     */
    public static String normalizeAlias(String alias) {
        StringBuilder sb = new StringBuilder(alias.length());
        for (int i = 0; i < alias.length(); i++) {
            char c = alias.charAt(i);
            if (c == '-') {
                sb.append('_');
            } else if (c == ']') {
                return null;
            } else if (c == '[') {
                int close = alias.indexOf(']', i);
                if (close < 0) {
                    return null;
                }
                sb.append(alias, i, close + 1);
                i = close;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
