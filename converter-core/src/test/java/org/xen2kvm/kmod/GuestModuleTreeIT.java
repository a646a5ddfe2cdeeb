package org.xen2kvm.kmod;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xen2kvm.fs.ext.ExtFileSystem;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The module tree of a real installed guest, read through the product's own ext4 reader: the
 * Debian 12 xen-tools guest of {@code testdata/build-guests.sh} ({@code XEN2KVM_GUESTS}), whose
 * root is usrmerged ({@code /lib -> usr/lib}) and whose kernel package ran the guest's own
 * depmod (kmod 30) at install time. Our files for that tree must be the guest's, byte for byte.
 */
class GuestModuleTreeIT {

    static Path guestDisk() {
        String dir = System.getenv("XEN2KVM_GUESTS");
        ExternalTool.requireThat(dir != null && Files.isRegularFile(Path.of(dir, "guest-a", "disk.img")),
                "XEN2KVM_GUESTS is not set or has no guest-a/disk.img; ./test.sh builds the Debian test guests and sets it");
        return Path.of(dir, "guest-a", "disk.img");
    }

    @Test
    void guestDepmodFilesAreOurs() throws Exception {
        try (RawFileDevice disk = RawFileDevice.openReadOnly(guestDisk());
                ExtFileSystem fs = ExtFileSystem.open(disk, false)) {
            List<String> releases = ModuleTree.releases(fs);
            assertEquals(1, releases.size(), releases.toString());
            String rel = releases.get(0);
            long start = System.nanoTime();
            ModuleTree tree = ModuleTree.scan(fs, rel);
            Map<String, byte[]> ours = DepmodFiles.generate(tree);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("GuestModuleTreeIT: %s: %d modules read from ext4 and depmod files generated in %d ms%n",
                    rel, tree.modules().size(), millis);
            long depLines = new String(fs.readFile("/lib/modules/" + rel + "/" + DepmodFiles.MODULES_DEP, 64 << 20),
                    java.nio.charset.StandardCharsets.ISO_8859_1).lines().count();
            assertEquals(depLines, tree.modules().size());
            assertTrue(tree.modules().size() > 1000, "a standard Debian kernel: " + tree.modules().size());
            for (String f : List.of(DepmodFiles.MODULES_DEP, DepmodFiles.MODULES_DEP_BIN, DepmodFiles.MODULES_ALIAS,
                    DepmodFiles.MODULES_ALIAS_BIN, DepmodFiles.MODULES_SOFTDEP, DepmodFiles.MODULES_SYMBOLS_BIN,
                    DepmodFiles.MODULES_BUILTIN_BIN, DepmodFiles.MODULES_BUILTIN_ALIAS_BIN, DepmodFiles.MODULES_DEVNAME)) {
                byte[] guests = fs.readFile("/lib/modules/" + rel + "/" + f, 64 << 20);
                DepmodOracleTest.assertSameLinesIfText(guests, ours.get(f), f);
            }
            assertEquals(DepmodOracleTest.lineSet(fs.readFile("/lib/modules/" + rel + "/" + DepmodFiles.MODULES_SYMBOLS, 64 << 20)),
                    DepmodOracleTest.lineSet(ours.get(DepmodFiles.MODULES_SYMBOLS)));
            // virtio_blk last; virtio and virtio_ring in whichever order this kernel build needs them.
            List<String> order = tree.loadOrder(List.of("virtio_blk")).stream().map(KernelModule::name).toList();
            assertEquals(java.util.Set.of("virtio", "virtio_ring", "virtio_blk"), java.util.Set.copyOf(order));
            assertEquals("virtio_blk", order.get(order.size() - 1));
        }
    }
}
