package org.xen2kvm.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.xen2kvm.fs.MemoryFileSystem;

/**
 * ModuleTree on small synthetic trees, for what the real kernel of DepmodOracleTest does not
 * show: updates/ overriding, .ko.gz, cycles, a usrmerged /lib, unknown names. Modules are
 * TestElf objects whose symbols make the dependencies, as in real modules.
 */
class ModuleTreeTest {
    private static final String REL = "5.10.0-test";
    private static final String BASE = "/usr/lib/modules/" + REL;

    private static byte[] module(String name, List<String> exports, List<String> needs, String... modinfo) {
        TestElf.Sym[] syms = new TestElf.Sym[exports.size() + needs.size()];
        int i = 0;
        for (String e : exports) {
            syms[i++] = new TestElf.Sym("__crc_" + e, true, false);
        }
        for (String n : needs) {
            syms[i++] = new TestElf.Sym(n, false, false);
        }
        String[] info = new String[modinfo.length + 1];
        info[0] = "name=" + name;
        System.arraycopy(modinfo, 0, info, 1, modinfo.length);
        return TestElf.module64().modinfo(info).symbols(syms).build();
    }

    private static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    private static MemoryFileSystem guest() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("test guest");
        fs.dir("/usr/lib/modules/" + REL + "/kernel/drivers");
        fs.dir("/usr/lib/modules/" + REL + "/updates");
        fs.link("/lib", "usr/lib");
        fs.writeFile(BASE + "/kernel/drivers/core-lib.ko", module("core_lib", List.of("core_fn"), List.of("printk")), 0644, 0, 0);
        fs.writeFile(BASE + "/kernel/drivers/mid-drv.ko.gz",
                gzip(module("mid_drv", List.of("mid_fn"), List.of("core_fn"), "alias=pci:v00001234d*", "softdep=pre: helper")),
                0644, 0, 0);
        fs.writeFile(BASE + "/kernel/drivers/top.ko", module("top", List.of(), List.of("mid_fn", "core_fn"), "alias=top-alias"),
                0644, 0, 0);
        fs.writeFile(BASE + "/kernel/drivers/helper.ko", module("helper", List.of(), List.of()), 0644, 0, 0);
        fs.writeFile(BASE + "/kernel/drivers/old.ko", module("old", List.of(), List.of(), "alias=old-kernel"), 0644, 0, 0);
        fs.writeFile(BASE + "/updates/old.ko", module("old", List.of(), List.of(), "alias=old-updates"), 0644, 0, 0);
        fs.file(BASE + "/modules.order", "kernel/drivers/top.ko\nkernel/drivers/mid-drv.ko\nkernel/drivers/core-lib.ko\n");
        fs.file(BASE + "/modules.builtin", "kernel/fs/ext4/ext4.ko\n");
        fs.writeFile(BASE + "/modules.builtin.modinfo", "ext4.alias=fs-ext4\0ext4.license=GPL\0".getBytes(StandardCharsets.US_ASCII),
                0644, 0, 0);
        return fs;
    }

    @Test
    void scansThroughUsrmergeAndOrdersAsDepmod() throws Exception {
        try (MemoryFileSystem fs = guest()) {
            assertEquals(List.of(REL), ModuleTree.releases(fs));
            ModuleTree tree = ModuleTree.scan(fs, REL);
            assertEquals(List.of("kernel/drivers/top.ko", "kernel/drivers/mid-drv.ko.gz", "kernel/drivers/core-lib.ko",
                    "kernel/drivers/helper.ko", "updates/old.ko"), tree.modules().stream().map(KernelModule::path).toList());
            String dep = new String(DepmodFiles.generate(tree).get(DepmodFiles.MODULES_DEP), StandardCharsets.US_ASCII);
            assertEquals("kernel/drivers/top.ko: kernel/drivers/mid-drv.ko.gz kernel/drivers/core-lib.ko\n"
                    + "kernel/drivers/mid-drv.ko.gz: kernel/drivers/core-lib.ko\n"
                    + "kernel/drivers/core-lib.ko:\n"
                    + "kernel/drivers/helper.ko:\n"
                    + "updates/old.ko:\n", dep);
        }
    }

    @Test
    void loadOrderPutsDependenciesAndSoftdepsFirst() throws Exception {
        try (MemoryFileSystem fs = guest()) {
            ModuleTree tree = ModuleTree.scan(fs, REL);
            assertEquals(List.of("core_lib", "helper", "mid_drv", "top"),
                    tree.loadOrder(List.of("top")).stream().map(KernelModule::name).toList());
            assertEquals(List.of("core_lib", "helper", "mid_drv"),
                    tree.loadOrder(List.of("pci:v00001234d00005678", "ext4")).stream().map(KernelModule::name).toList());
            assertEquals(List.of("core_lib", "helper", "mid_drv", "top"),
                    tree.loadOrder(List.of("top_alias")).stream().map(KernelModule::name).toList());
            assertEquals("old-updates", tree.module("old").orElseThrow().info().aliases().get(0));
            assertTrue(tree.has("mid_drv") && tree.has("mid-drv") && tree.has("fs-ext4") && tree.has("symbol:core_fn"));
            assertTrue(tree.isBuiltin("ext4") && tree.isBuiltin("fs-ext4"));
            assertFalse(tree.isBuiltin("top") || tree.has("nothing") || tree.has("old-kernel"));
            ModuleTree.UnknownModuleException e = assertThrows(ModuleTree.UnknownModuleException.class,
                    () -> tree.loadOrder(List.of("top", "xen-blkfront")));
            assertEquals("kernel " + REL + " has no module or alias 'xen-blkfront' (not in /lib/modules/" + REL
                    + ", not built in)", e.getMessage());
        }
    }

    @Test
    void dependencyCycleIsRefused() throws Exception {
        try (MemoryFileSystem fs = new MemoryFileSystem("cycle")) {
            fs.dir("/lib/modules/" + REL);
            fs.writeFile("/lib/modules/" + REL + "/a.ko", module("a", List.of("fa"), List.of("fb")), 0644, 0, 0);
            fs.writeFile("/lib/modules/" + REL + "/b.ko", module("b", List.of("fb"), List.of("fa")), 0644, 0, 0);
            ModuleFormatException e = assertThrows(ModuleFormatException.class, () -> ModuleTree.scan(fs, REL));
            assertEquals("module dependencies form a cycle among 2 modules, including a.ko, b.ko", e.getMessage());
        }
    }

    @Test
    void softdepChainsAreBounded() throws Exception {
        try (MemoryFileSystem fs = new MemoryFileSystem("chain")) {
            fs.dir("/lib/modules/" + REL);
            int n = ModuleTree.MAX_SOFTDEP_DEPTH + 10;
            for (int i = 0; i < n; i++) {
                fs.writeFile("/lib/modules/" + REL + "/m" + i + ".ko", module("m" + i, List.of(), List.of(),
                        "softdep=pre: m" + (i + 1)), 0644, 0, 0);
            }
            ModuleTree tree = ModuleTree.scan(fs, REL);
            assertEquals(List.of("m" + (n - 1), "m" + (n - 2), "m" + (n - 3)),
                    tree.loadOrder(List.of("m" + (n - 3))).stream().map(KernelModule::name).toList());
            org.xen2kvm.Xen2KvmException e = assertThrows(org.xen2kvm.Xen2KvmException.class, () -> tree.loadOrder(List.of("m0")));
            assertTrue(e.getMessage().endsWith(".ko: softdep chain deeper than 256 modules; refusing to follow it"), e.getMessage());
        }
    }

    @Test
    void corruptModuleIsNamed() throws Exception {
        try (MemoryFileSystem fs = new MemoryFileSystem("corrupt")) {
            fs.dir("/lib/modules/" + REL + "/kernel");
            fs.file("/lib/modules/" + REL + "/kernel/bad.ko.xz", "not xz");
            ModuleFormatException e = assertThrows(ModuleFormatException.class, () -> ModuleTree.scan(fs, REL));
            assertTrue(e.getMessage().startsWith("/lib/modules/" + REL + "/kernel/bad.ko.xz: corrupt xz data: "), e.getMessage());
        }
    }

    @Test
    void missingReleaseIsRefused() throws Exception {
        try (MemoryFileSystem fs = new MemoryFileSystem("empty")) {
            assertEquals(List.of(), ModuleTree.releases(fs));
            ModuleFormatException e = assertThrows(ModuleFormatException.class, () -> ModuleTree.scan(fs, REL));
            assertTrue(e.getMessage().contains("/lib/modules/" + REL + " is not a directory"), e.getMessage());
            assertThrows(ModuleFormatException.class, () -> ModuleTree.scan(fs, "../etc"));
        }
    }
}
