package org.xen2kvm.kmod;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a module's ELF image into a {@link ModuleInfo}, the way kmod 30 (libkmod-elf) does: the
 * {@code .modinfo} strings; the exported symbols from the {@code __crc_*} entries of
 * {@code .symtab}, else from {@code __ksymtab_strings}; and the undefined symbols of
 * {@code .symtab}/{@code .strtab} (plus unreferenced {@code __versions} entries), which depmod
 * matches against the exports to find dependencies.
 */
public final class ModinfoReader {
    static final String MODINFO = ".modinfo";
    static final String KSYMTAB_STRINGS = "__ksymtab_strings";
    static final String SYMTAB = ".symtab";
    static final String STRTAB = ".strtab";
    static final String VERSIONS = "__versions";
    /** Prefix of the symbols MODVERSIONS defines for each export ({@code __crc_printk}). */
    static final String CRC_PREFIX = "__crc_";
    private static final byte[] CRC_PREFIX_BYTES = CRC_PREFIX.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** struct modversion_info: an unsigned long CRC and a 64-byte-long record (name fills the rest). */
    static final int MODVERSION_ENTRY_SIZE = 64;

    private ModinfoReader() {
    }

    /**
     * Reads a module file, compressed or not.
     *
     * @param name file name or path (its suffix says the compression; used in messages)
     * @throws ModuleFormatException if the file is not a readable module
     */
    public static ModuleInfo readFile(String name, byte[] data) throws ModuleFormatException {
        return read(name, ModuleDecompressor.decompress(name, data));
    }

    /**
     * Reads an uncompressed ELF module image.
     *
     * @throws ModuleFormatException if it is not ELF, has no {@code .modinfo}, or any offset is out of bounds
     */
    public static ModuleInfo read(String file, byte[] elf) throws ModuleFormatException {
        ElfImage image = ElfImage.parse(file, elf);
        ElfImage.Section modinfo = image.section(MODINFO).orElseThrow(() ->
                new ModuleFormatException(file + ": no " + MODINFO + " section; not a kernel module"));
        String name = "";
        String vermagic = "";
        String license = "";
        List<String> depends = new ArrayList<>();
        List<String> aliases = new ArrayList<>();
        List<String> softdeps = new ArrayList<>();
        List<String> firmware = new ArrayList<>();
        for (String entry : image.strings(modinfo)) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = entry.substring(0, eq);
            String value = entry.substring(eq + 1);
            switch (key) {
                case "name" -> name = value;
                case "vermagic" -> vermagic = value;
                case "license" -> license = value;
                case "alias" -> aliases.add(value);
                case "softdep" -> softdeps.add(value);
                case "firmware" -> firmware.add(value);
                case "depends" -> {
                    for (String d : value.split(",")) {
                        if (!d.isEmpty()) {
                            depends.add(d);
                        }
                    }
                }
                default -> {
                }
            }
        }
        Optional<ElfImage.Section> symtab = image.section(SYMTAB);
        Optional<ElfImage.Section> strtab = image.section(STRTAB);
        List<ElfImage.Symbol> symbols = symtab.isPresent() && strtab.isPresent() ? image.symbols(symtab.get()) : List.of();
        List<String> exported = crcSymbols(image, symtab, strtab, symbols);
        if (exported.isEmpty()) {
            exported = image.section(KSYMTAB_STRINGS).map(image::strings).orElse(List.of());
        }
        List<String> undefined = new ArrayList<>();
        for (int i = 0; i < symbols.size(); i++) {
            ElfImage.Symbol sym = symbols.get(i);
            if (sym.sectionIndex() != ElfImage.SHN_UNDEF) {
                continue;
            }
            String s = image.string(strtab.get(), sym.nameOffset(), SYMTAB + " entry " + (i + 1));
            if (!s.isEmpty()) {
                undefined.add(s);
            }
        }
        addUnreferencedVersions(image, undefined);
        return new ModuleInfo(name, depends, aliases, softdeps, vermagic, firmware, license, exported, undefined);
    }

    /**
     * The exported symbols as kmod finds them first: the {@code __crc_NAME} entries of
     * {@code .symtab} (one per export on a kernel built with MODVERSIONS), in table order. Empty
     * when there are none or a name offset is bad, and kmod falls back to {@code __ksymtab_strings},
     * which on 5.4+ kernels also holds symbol namespace names.
     */
    private static List<String> crcSymbols(ElfImage image, Optional<ElfImage.Section> symtab, Optional<ElfImage.Section> strtab,
            List<ElfImage.Symbol> symbols) {
        List<String> out = new ArrayList<>();
        if (symtab.isEmpty() || strtab.isEmpty() || symtab.get().size() % image.symbolSize() != 0) {
            return out;
        }
        for (ElfImage.Symbol sym : symbols) {
            if (sym.nameOffset() < 0 || sym.nameOffset() >= strtab.get().size()) {
                return new ArrayList<>();
            }
            int start = strtab.get().offset() + sym.nameOffset();
            int end = strtab.get().offset() + strtab.get().size();
            // Most entries are local symbols: compare the prefix before making a String.
            if (hasPrefix(image.data(), start, end, CRC_PREFIX_BYTES)) {
                out.add(ElfImage.cString(image.data(), start + CRC_PREFIX_BYTES.length, end));
            }
        }
        return out;
    }

    private static boolean hasPrefix(byte[] b, int start, int end, byte[] prefix) {
        if (end - start < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[start + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Entries of {@code __versions} (CRCs of the symbols a module uses) that no undefined symbol
     * named, such as {@code module_layout}: kmod counts them among the needed symbols.
     */
    private static void addUnreferencedVersions(ElfImage image, List<String> undefined) {
        Optional<ElfImage.Section> versions = image.section(VERSIONS);
        int entry = MODVERSION_ENTRY_SIZE;
        if (versions.isEmpty() || versions.get().size() % entry != 0) {
            return;
        }
        java.util.Set<String> named = new java.util.HashSet<>(undefined);
        int crcSize = image.is64() ? 8 : 4;
        for (int at = 0; at < versions.get().size(); at += entry) {
            int start = versions.get().offset() + at + crcSize;
            String s = ElfImage.cString(image.data(), start, versions.get().offset() + at + entry);
            if (!named.contains(s)) {
                undefined.add(s);
            }
        }
    }
}
