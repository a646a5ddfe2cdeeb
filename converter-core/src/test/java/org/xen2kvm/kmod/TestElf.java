package org.xen2kvm.kmod;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds small ELF relocatable objects shaped like kernel modules (.modinfo, .symtab, .strtab,
 * __ksymtab_strings, __versions), 32 or 64 bit, either byte order: fixtures for ModinfoReader's
 * golden and -fail tests, and the fuzzer's seeds. Layout: ELF header, section data, section table.
 */
final class TestElf {
    record Sym(String name, boolean defined, boolean weak) {
    }

    private final boolean is64;
    private final ByteOrder order;
    private final List<String> names = new ArrayList<>();
    private final List<Integer> types = new ArrayList<>();
    private final List<byte[]> datas = new ArrayList<>();

    TestElf(boolean is64, ByteOrder order) {
        this.is64 = is64;
        this.order = order;
    }

    static TestElf module64() {
        return new TestElf(true, ByteOrder.LITTLE_ENDIAN);
    }

    TestElf section(String name, int type, byte[] data) {
        names.add(name);
        types.add(type);
        datas.add(data);
        return this;
    }

    /** A .modinfo section of key=value strings. */
    TestElf modinfo(String... entries) {
        return section(".modinfo", 1, strings(entries));
    }

    /** NUL-terminated strings back to back. */
    static byte[] strings(String... s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String e : s) {
            out.writeBytes(e.getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** .symtab and .strtab holding {@code syms} after the null entry; defined ones in section 1. */
    TestElf symbols(Sym... syms) {
        ByteArrayOutputStream str = new ByteArrayOutputStream();
        str.write(0);
        int size = is64 ? 24 : 16;
        ByteBuffer tab = ByteBuffer.allocate(size * (syms.length + 1)).order(order);
        for (int i = 0; i < syms.length; i++) {
            int at = size * (i + 1);
            int nameOff = str.size();
            str.writeBytes(syms[i].name().getBytes(StandardCharsets.ISO_8859_1));
            str.write(0);
            int info = (syms[i].weak() ? 2 : 1) << 4;
            short shndx = (short) (syms[i].defined() ? 1 : 0);
            tab.putInt(at, nameOff);
            if (is64) {
                tab.put(at + 4, (byte) info);
                tab.putShort(at + 6, shndx);
            } else {
                tab.put(at + 12, (byte) info);
                tab.putShort(at + 14, shndx);
            }
        }
        section(".symtab", 2, tab.array());
        return section(".strtab", 3, str.toByteArray());
    }

    /** __versions entries (CRC 0) naming {@code names}. */
    TestElf versions(String... syms) {
        ByteBuffer b = ByteBuffer.allocate(64 * syms.length).order(order);
        for (int i = 0; i < syms.length; i++) {
            byte[] n = syms[i].getBytes(StandardCharsets.ISO_8859_1);
            b.put(64 * i + (is64 ? 8 : 4), n, 0, n.length);
        }
        return section("__versions", 1, b.array());
    }

    byte[] build() {
        ByteArrayOutputStream shstr = new ByteArrayOutputStream();
        shstr.write(0);
        List<Integer> nameOffs = new ArrayList<>();
        for (String n : names) {
            nameOffs.add(shstr.size());
            shstr.writeBytes(n.getBytes(StandardCharsets.ISO_8859_1));
            shstr.write(0);
        }
        int shstrName = shstr.size();
        shstr.writeBytes(".shstrtab".getBytes(StandardCharsets.ISO_8859_1));
        shstr.write(0);
        List<byte[]> all = new ArrayList<>(datas);
        all.add(shstr.toByteArray());
        int header = is64 ? 64 : 52;
        int shentsize = is64 ? 64 : 40;
        int off = header;
        int[] offsets = new int[all.size()];
        for (int i = 0; i < all.size(); i++) {
            offsets[i] = off;
            off += all.get(i).length;
        }
        int shoff = (off + 7) & ~7;
        int shnum = all.size() + 1;
        ByteBuffer b = ByteBuffer.allocate(shoff + shnum * shentsize).order(order);
        b.put(0, new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2), 1});
        b.putShort(16, (short) 1); // ET_REL
        b.putShort(18, (short) 62); // EM_X86_64
        if (is64) {
            b.putLong(0x28, shoff);
            b.putShort(0x3A, (short) shentsize);
            b.putShort(0x3C, (short) shnum);
            b.putShort(0x3E, (short) (shnum - 1));
        } else {
            b.putInt(0x20, shoff);
            b.putShort(0x2E, (short) shentsize);
            b.putShort(0x30, (short) shnum);
            b.putShort(0x32, (short) (shnum - 1));
        }
        for (int i = 0; i < all.size(); i++) {
            b.put(offsets[i], all.get(i));
            int h = shoff + (i + 1) * shentsize;
            b.putInt(h, i < names.size() ? nameOffs.get(i) : shstrName);
            b.putInt(h + 4, i < names.size() ? types.get(i) : 3);
            if (is64) {
                b.putLong(h + 24, offsets[i]);
                b.putLong(h + 32, all.get(i).length);
            } else {
                b.putInt(h + 16, offsets[i]);
                b.putInt(h + 20, all.get(i).length);
            }
        }
        return b.array();
    }

    /** A typical small module: aliases, depends, softdep, exports by __crc_ and __ksymtab_strings, undefined symbols. */
    static byte[] typical(boolean is64, ByteOrder order) {
        return new TestElf(is64, order)
                .modinfo("alias=virtio:d00000002v*", "depends=virtio,virtio_ring", "softdep=pre: crc32c", "license=GPL",
                        "firmware=x.bin", "name=virtio_blk", "vermagic=6.1.0 SMP mod_unload modversions ")
                .section("__ksymtab_strings", 1, strings("blk_export", "NS_NAME"))
                .symbols(new Sym("__crc_blk_export", true, false), new Sym("register_virtio_driver", false, false),
                        new Sym("vring_interrupt", false, true), new Sym("local_helper", true, false))
                .versions("module_layout", "register_virtio_driver")
                .build();
    }
}
