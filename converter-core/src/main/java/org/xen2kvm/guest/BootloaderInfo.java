package org.xen2kvm.guest;

import java.util.List;

/**
 * The guest's bootloader configuration.
 *
 * @param configPath   path of the menu file in the guest, or null for {@link BootloaderKind#NONE}
 * @param entries      menu entries in file order (empty when none could be read)
 * @param defaultEntry index into {@code entries} of the default, or -1 when there are no entries
 */
public record BootloaderInfo(BootloaderKind kind, String configPath, List<BootEntry> entries, int defaultEntry) {

    public BootloaderInfo {
        entries = List.copyOf(entries);
    }

    /** The default entry, or empty when the menu has none. */
    public java.util.Optional<BootEntry> defaultBootEntry() {
        return defaultEntry < 0 ? java.util.Optional.empty() : java.util.Optional.of(entries.get(defaultEntry));
    }

    public static BootloaderInfo none() {
        return new BootloaderInfo(BootloaderKind.NONE, null, List.of(), -1);
    }
}
