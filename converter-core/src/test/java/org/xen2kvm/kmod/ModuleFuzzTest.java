package org.xen2kvm.kmod;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.List;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz targets for kernel modules, which come from the guest: the ELF reader
 * (ModinfoReader: header, section table, .modinfo, .symtab/.strtab, __ksymtab_strings,
 * __versions) followed by what the tree does with a module it accepted (dependencies, load
 * order, alias matching, every depmod file and index); and the decompressors behind the module
 * suffixes. A hostile module may only be refused with {@link ModuleFormatException}. Seeds:
 * TestElf's typical module (64-bit LE, 32-bit BE) and its xz/gzip/zstd forms.
 */
class ModuleFuzzTest {

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void modinfo(byte[] data) throws Exception {
        Fuzz.expect(() -> {
            ModuleInfo info = ModinfoReader.read("fuzz.ko", data);
            KernelModule m = new KernelModule("fuzz", "kernel/fuzz.ko", info);
            ModuleTree tree = new ModuleTree("fuzz", List.of(m), List.of("kernel/fuzz.ko"), List.of("kernel/x/builtin.ko"),
                    List.of(new ModuleTree.BuiltinModule("builtin", List.of("fs-builtin"))));
            tree.loadOrder(List.of("fuzz"));
            for (String a : info.aliases().subList(0, Math.min(3, info.aliases().size()))) {
                tree.has(a);
            }
            DepmodFiles.generate(tree);
        }, IOException.class);
    }

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void compressed(byte[] data) throws Exception {
        if (data.length == 0) {
            return;
        }
        // The first byte picks the suffix, so the fuzzer explores all three decoders.
        String name = List.of("fuzz.ko.xz", "fuzz.ko.zst", "fuzz.ko.gz").get(Byte.toUnsignedInt(data[0]) % 3);
        byte[] rest = java.util.Arrays.copyOfRange(data, 1, data.length);
        Fuzz.expect(() -> ModinfoReader.readFile(name, rest), IOException.class);
    }
}
