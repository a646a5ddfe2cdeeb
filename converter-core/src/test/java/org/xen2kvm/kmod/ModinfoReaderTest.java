package org.xen2kvm.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ModinfoReaderTest {

    @ParameterizedTest
    @CsvSource({"true,LE", "false,LE", "true,BE", "false,BE"})
    void readsEveryFieldIn32And64BitEitherByteOrder(boolean is64, String endian) throws Exception {
        ByteOrder order = endian.equals("LE") ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        ModuleInfo info = ModinfoReader.read("virtio_blk.ko", TestElf.typical(is64, order));
        assertEquals(new ModuleInfo("virtio_blk", List.of("virtio", "virtio_ring"), List.of("virtio:d00000002v*"),
                List.of("pre: crc32c"), "6.1.0 SMP mod_unload modversions ", List.of("x.bin"), "GPL",
                // __crc_ symbols win over __ksymtab_strings (which would add the namespace NS_NAME), as in kmod
                List.of("blk_export"),
                // undefined symbols in table order, then __versions entries nobody named
                List.of("register_virtio_driver", "vring_interrupt", "module_layout")), info);
    }

    @Test
    void exportsFallBackToKsymtabStringsWithoutCrcs() throws Exception {
        byte[] elf = TestElf.module64().modinfo("license=GPL")
                .section("__ksymtab_strings", 1, TestElf.strings("", "a_export", "b_export"))
                .symbols(new TestElf.Sym("a_export", true, false))
                .build();
        assertEquals(List.of("a_export", "b_export"), ModinfoReader.read("m.ko", elf).exportedSymbols());
    }

    @Test
    void moduleWithoutSymbolsHasNone() throws Exception {
        ModuleInfo info = ModinfoReader.read("m.ko", TestElf.module64().modinfo("depends=", "alias=a", "alias=b").build());
        assertEquals(List.of(), info.depends());
        assertEquals(List.of("a", "b"), info.aliases());
        assertEquals(List.of(), info.exportedSymbols());
        assertEquals(List.of(), info.undefinedSymbols());
        assertEquals("", info.name());
    }

    @Test
    void lastStringWithoutNulIsKept() throws Exception {
        byte[] modinfo = "alias=a\0\0\0license=GPL".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ModuleInfo info = ModinfoReader.read("m.ko", TestElf.module64().section(".modinfo", 1, modinfo).build());
        assertEquals("GPL", info.license());
        assertEquals(List.of("a"), info.aliases());
    }

    // -fail cases: each refusal names the file and the place.

    @Test
    void notElf() {
        assertFails("bad.ko", "not an ELF file", "hello world, this is not an ELF module at all".getBytes());
        assertFails("bad.ko", "not an ELF file", new byte[3]);
    }

    @Test
    void badClassAndByteOrder() {
        byte[] elf = TestElf.typical(true, ByteOrder.LITTLE_ENDIAN);
        elf[4] = 9;
        assertFails("m.ko", "EI_CLASS) is 9", elf);
        elf = TestElf.typical(true, ByteOrder.LITTLE_ENDIAN);
        elf[5] = 0;
        assertFails("m.ko", "EI_DATA) is 0", elf);
    }

    @Test
    void sectionTablePastTheEnd() {
        byte[] elf = TestElf.typical(true, ByteOrder.LITTLE_ENDIAN);
        assertFails("m.ko", "section table at offset", Arrays.copyOf(elf, elf.length - 10));
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putLong(0x28, Long.MAX_VALUE);
        assertFails("m.ko", "section table at offset", elf);
    }

    @Test
    void sectionDataPastTheEnd() {
        byte[] elf = TestElf.typical(true, ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        b.putLong((int) shoff + 64 + 32, 1L << 40); // section 1's sh_size
        assertFails("m.ko", "section header 1: data at offset", elf);
        b.putLong((int) shoff + 64 + 32, -1L);
        assertFails("m.ko", "section header 1: data at offset", elf);
    }

    @Test
    void sectionNameOutsideTheNameTable() {
        byte[] elf = TestElf.typical(true, ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) b.getLong(0x28) + 2 * 64, 0x7fffffff);
        assertFails("m.ko", "section header 2: name offset 2147483647 outside the section name table", elf);
    }

    @Test
    void shstrndxOutOfRange() {
        byte[] elf = TestElf.typical(true, ByteOrder.LITTLE_ENDIAN);
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putShort(0x3E, (short) 200);
        assertFails("m.ko", "e_shstrndx 200 is not below e_shnum", elf);
    }

    @Test
    void symbolNameOutsideStrtab() {
        byte[] elf = TestElf.module64().modinfo("license=GPL")
                .symbols(new TestElf.Sym("needed", false, false)).build();
        // The symbol's st_name is the first int of entry 1 of .symtab, section 2.
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        int symtab = (int) b.getLong((int) b.getLong(0x28) + 2 * 64 + 24);
        b.putInt(symtab + 24, 999_999);
        assertFails("m.ko", ".symtab entry 1: string offset 999999 outside .strtab", elf);
    }

    @Test
    void noModinfo() {
        assertFails("m.ko", "no .modinfo section", TestElf.module64().section(".text", 1, new byte[4]).build());
    }

    @Test
    void noSectionTable() {
        byte[] elf = TestElf.typical(true, ByteOrder.LITTLE_ENDIAN);
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putShort(0x3C, (short) 0);
        assertFails("m.ko", "no section table", elf);
    }

    private static void assertFails(String file, String what, byte[] data) {
        ModuleFormatException e = assertThrows(ModuleFormatException.class, () -> ModinfoReader.read(file, data));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
