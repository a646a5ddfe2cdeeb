package org.xen2kvm.kmod;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The section table of an ELF relocatable object (a kernel module), 32 or 64 bit, either byte
 * order. Only what module handling needs: sections found by name, as kmod finds them, and
 * NUL-terminated strings inside them. Every offset is checked against the file.
 * Field offsets are those of the System V gABI, "ELF Header" and "Sections".
 */
final class ElfImage {
    /** e_ident[EI_MAG0..3]. */
    static final int ELF_MAGIC = 0x7f454c46;
    static final int EI_CLASS = 4;
    static final int EI_DATA = 5;
    static final int ELFCLASS32 = 1;
    static final int ELFCLASS64 = 2;
    static final int ELFDATA2LSB = 1;
    static final int ELFDATA2MSB = 2;
    /** e_shoff, e_shentsize, e_shnum, e_shstrndx in the 64-bit header. */
    static final int E64_SHOFF = 0x28;
    static final int E64_SHENTSIZE = 0x3A;
    static final int E64_SHNUM = 0x3C;
    static final int E64_SHSTRNDX = 0x3E;
    static final int E64_HEADER_SIZE = 0x40;
    /** The same fields in the 32-bit header. */
    static final int E32_SHOFF = 0x20;
    static final int E32_SHENTSIZE = 0x2E;
    static final int E32_SHNUM = 0x30;
    static final int E32_SHSTRNDX = 0x32;
    static final int E32_HEADER_SIZE = 0x34;
    /** Section header sizes (Elf64_Shdr, Elf32_Shdr). */
    static final int SHDR64_SIZE = 64;
    static final int SHDR32_SIZE = 40;
    /** sh_type of a section that occupies no file space (.bss). */
    static final int SHT_NOBITS = 8;
    /** Symbol table entry sizes (Elf64_Sym, Elf32_Sym). */
    static final int SYM64_SIZE = 24;
    static final int SYM32_SIZE = 16;
    /** st_shndx of an undefined symbol. */
    static final int SHN_UNDEF = 0;
    /** Bits 4..7 of st_info: the binding; STB_WEAK. */
    static final int STB_WEAK = 2;

    /** One section: where its bytes are in the file. */
    record Section(String name, int type, int offset, int size) {
    }

    /** One symbol table entry, as far as module handling needs it. */
    record Symbol(int nameOffset, int sectionIndex, int binding) {
    }

    private final String file;
    private final ByteBuffer buf;
    private final boolean is64;
    private final List<Section> sections;

    private ElfImage(String file, ByteBuffer buf, boolean is64, List<Section> sections) {
        this.file = file;
        this.buf = buf;
        this.is64 = is64;
        this.sections = sections;
    }

    /**
     * Reads the ELF header and section table.
     *
     * @throws ModuleFormatException if {@code elf} is not ELF or any header field points outside it
     */
    static ElfImage parse(String file, byte[] elf) throws ModuleFormatException {
        if (elf.length < E32_HEADER_SIZE || ByteBuffer.wrap(elf).getInt(0) != ELF_MAGIC) {
            throw new ModuleFormatException(file + ": not an ELF file (no \\x7fELF magic at offset 0)");
        }
        int cls = elf[EI_CLASS];
        int data = elf[EI_DATA];
        if (cls != ELFCLASS32 && cls != ELFCLASS64) {
            throw new ModuleFormatException(file + ": ELF header byte 4 (EI_CLASS) is " + cls + ", not 1 or 2");
        }
        if (data != ELFDATA2LSB && data != ELFDATA2MSB) {
            throw new ModuleFormatException(file + ": ELF header byte 5 (EI_DATA) is " + data + ", not 1 or 2");
        }
        boolean is64 = cls == ELFCLASS64;
        ByteBuffer b = ByteBuffer.wrap(elf).order(data == ELFDATA2LSB ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        if (is64 && elf.length < E64_HEADER_SIZE) {
            throw new ModuleFormatException(file + ": ELF64 header cut short (" + elf.length + " bytes)");
        }
        long shoff = is64 ? b.getLong(E64_SHOFF) : Integer.toUnsignedLong(b.getInt(E32_SHOFF));
        int shentsize = Short.toUnsignedInt(b.getShort(is64 ? E64_SHENTSIZE : E32_SHENTSIZE));
        int shnum = Short.toUnsignedInt(b.getShort(is64 ? E64_SHNUM : E32_SHNUM));
        int shstrndx = Short.toUnsignedInt(b.getShort(is64 ? E64_SHSTRNDX : E32_SHSTRNDX));
        int want = is64 ? SHDR64_SIZE : SHDR32_SIZE;
        if (shnum == 0) {
            throw new ModuleFormatException(file + ": ELF header: no section table (e_shnum 0)");
        }
        if (shentsize < want) {
            throw new ModuleFormatException(file + ": ELF header: e_shentsize " + shentsize + " smaller than " + want);
        }
        if (shoff < 0 || shoff > elf.length || (long) shnum * shentsize > elf.length - shoff) {
            throw new ModuleFormatException(file + ": ELF header: section table at offset " + Long.toUnsignedString(shoff)
                    + " (" + shnum + " x " + shentsize + " bytes) runs past the end of the file (" + elf.length + " bytes)");
        }
        if (shstrndx >= shnum) {
            throw new ModuleFormatException(file + ": ELF header: e_shstrndx " + shstrndx + " is not below e_shnum " + shnum);
        }
        int[][] raw = new int[shnum][];
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * shentsize);
            int name = b.getInt(h);
            int type = b.getInt(h + 4);
            long off = is64 ? b.getLong(h + 24) : Integer.toUnsignedLong(b.getInt(h + 16));
            long size = is64 ? b.getLong(h + 32) : Integer.toUnsignedLong(b.getInt(h + 20));
            if (type == SHT_NOBITS) {
                off = 0;
                size = 0;
            } else if (off < 0 || size < 0 || off > elf.length || size > elf.length - off) {
                throw new ModuleFormatException(file + ": section header " + i + ": data at offset " + Long.toUnsignedString(off)
                        + ", " + Long.toUnsignedString(size) + " bytes, runs past the end of the file (" + elf.length + " bytes)");
            }
            raw[i] = new int[] {name, type, (int) off, (int) size};
        }
        int[] strtab = raw[shstrndx];
        List<Section> sections = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            int nameOff = raw[i][0];
            String name = "";
            if (i > 0) {
                if (nameOff < 0 || nameOff >= strtab[3]) {
                    throw new ModuleFormatException(file + ": section header " + i + ": name offset " + Integer.toUnsignedString(nameOff)
                            + " outside the section name table (" + strtab[3] + " bytes)");
                }
                name = cString(elf, strtab[2] + nameOff, strtab[2] + strtab[3]);
            }
            sections.add(new Section(name, raw[i][1], raw[i][2], raw[i][3]));
        }
        return new ElfImage(file, b, is64, List.copyOf(sections));
    }

    /** The first section named {@code name} (index 0, the null section, never matches), as kmod looks it up. */
    Optional<Section> section(String name) {
        for (int i = 1; i < sections.size(); i++) {
            if (sections.get(i).name().equals(name)) {
                return Optional.of(sections.get(i));
            }
        }
        return Optional.empty();
    }

    boolean is64() {
        return is64;
    }

    /** Size of one symbol table entry for this class. */
    int symbolSize() {
        return is64 ? SYM64_SIZE : SYM32_SIZE;
    }

    /** The whole file. */
    byte[] data() {
        return buf.array();
    }

    /** The bytes of a section. */
    byte[] bytes(Section s) {
        byte[] out = new byte[s.size()];
        buf.get(s.offset(), out);
        return out;
    }

    /** The entries of a symbol table section, entry 0 (always null) left out. */
    List<Symbol> symbols(Section symtab) {
        int size = is64 ? SYM64_SIZE : SYM32_SIZE;
        int count = symtab.size() / size;
        List<Symbol> out = new ArrayList<>(Math.max(0, count - 1));
        for (int i = 1; i < count; i++) {
            int at = symtab.offset() + i * size;
            int name = buf.getInt(at);
            int info = Byte.toUnsignedInt(buf.get(at + (is64 ? 4 : 12)));
            int shndx = Short.toUnsignedInt(buf.getShort(at + (is64 ? 6 : 14)));
            out.add(new Symbol(name, shndx, info >>> 4));
        }
        return out;
    }

    /**
     * The NUL-terminated string at {@code offset} of {@code strtab}.
     *
     * @throws ModuleFormatException if the offset is outside the section
     */
    String string(Section strtab, int offset, String what) throws ModuleFormatException {
        if (offset < 0 || offset >= strtab.size()) {
            throw new ModuleFormatException(file + ": " + what + ": string offset " + Integer.toUnsignedString(offset)
                    + " outside " + strtab.name() + " (" + strtab.size() + " bytes)");
        }
        return cString(buf.array(), strtab.offset() + offset, strtab.offset() + strtab.size());
    }

    /** The string from {@code start} to the first NUL or {@code end}. */
    static String cString(byte[] b, int start, int end) {
        int e = start;
        while (e < end && b[e] != 0) {
            e++;
        }
        return new String(b, start, e - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * The strings of a section of NUL-separated strings (.modinfo, __ksymtab_strings), empty
     * ones skipped, a last one without its NUL kept: kmod's reading of such sections.
     */
    List<String> strings(Section s) {
        List<String> out = new ArrayList<>();
        byte[] b = buf.array();
        int end = s.offset() + s.size();
        int i = s.offset();
        while (i < end) {
            if (b[i] == 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < end && b[i] != 0) {
                i++;
            }
            out.add(new String(b, start, i - start, StandardCharsets.ISO_8859_1));
        }
        return out;
    }
}
