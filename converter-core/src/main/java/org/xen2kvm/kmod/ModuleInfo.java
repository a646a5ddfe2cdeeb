package org.xen2kvm.kmod;

import java.util.List;

/**
 * What a kernel module says about itself: its {@code .modinfo} fields and its symbols.
 *
 * @param name             {@code name=} (empty when absent; depmod names a module by its file instead)
 * @param depends          {@code depends=}, the modules modpost found it needs, in order
 * @param aliases          every {@code alias=} in section order (device ids, {@code fs-ext4}, ...)
 * @param softdeps         every {@code softdep=} value as written ({@code pre: crc32c})
 * @param vermagic         {@code vermagic=} (empty when absent)
 * @param firmware         every {@code firmware=}
 * @param license          {@code license=} (empty when absent)
 * @param exportedSymbols  symbols it exports (the strings of {@code __ksymtab_strings}, else the
 *                         {@code __ksymtab_*} symbols), in section order, as kmod reads them
 * @param undefinedSymbols symbols it needs from elsewhere (undefined {@code .symtab} entries), in table order
 */
public record ModuleInfo(String name, List<String> depends, List<String> aliases, List<String> softdeps,
        String vermagic, List<String> firmware, String license, List<String> exportedSymbols,
        List<String> undefinedSymbols) {

    public ModuleInfo {
        depends = List.copyOf(depends);
        aliases = List.copyOf(aliases);
        softdeps = List.copyOf(softdeps);
        firmware = List.copyOf(firmware);
        exportedSymbols = List.copyOf(exportedSymbols);
        undefinedSymbols = List.copyOf(undefinedSymbols);
    }
}
