package org.xen2kvm.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.xen2kvm.edit.FileChange.FileState;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.GuestTrees;
import org.xen2kvm.plan.DeviceMap;
import org.xen2kvm.plan.KernelCmdlineTest;

/**
 * Every default edit on the RHEL 5 and RHEL 6 guest file sets ({@code guest/fixtures}),
 * compared with golden files: {@code expected/NAME.txt} holds the notes and the unified diff
 * {@code --dry-run} prints, {@code expected/NAME/} the whole of every file the edits wrote,
 * and {@code expected/NAME.changes} every changed path with what it became (file, link or
 * deleted). Run with {@code -Dxen2kvm.writeGolden=true} to rewrite them after a deliberate
 * change, then review the diff of the golden files.
 */
class RhelFamilyEditsTest {

    private static final Path GOLDEN = Path.of("src/test/resources/org/xen2kvm/edit/expected");

    static ConversionContext ctx(MemoryFileSystem fs, DeviceMap map, String... macs) throws IOException {
        return new ConversionContext(map, GuestInspector.inspect(fs), false, Map.of(), List.of(macs), "ttyS0");
    }

    private static String dump(EditReport r) {
        StringBuilder sb = new StringBuilder();
        r.notes().forEach((edit, notes) -> notes.forEach(n -> sb.append(edit).append(": ").append(n).append('\n')));
        sb.append("====\n").append(r.unifiedDiff());
        return sb.toString();
    }

    /** Applies all edits, checks every golden file, and that a second run changes nothing. */
    private static EditReport convert(String name, DeviceMap map, String... macs) throws IOException {
        MemoryFileSystem fs = GuestTrees.fixture(name);
        ConversionContext c = ctx(fs, map, macs);
        EditReport r = GuestEditor.applyAll(fs, c);
        Map<String, String> changes = new TreeMap<>();
        Map<String, String> files = new TreeMap<>();
        for (FileChange ch : r.changes()) {
            FileState after = ch.after();
            switch (after.kind()) {
                case FILE -> {
                    changes.put(ch.path(), "file");
                    files.put(ch.path(), after.content());
                    assertEquals(after.content(), fs.readText(ch.path()), "the report shows what the guest holds");
                }
                case BINARY -> changes.put(ch.path(), "binary, " + after.size() + " bytes");
                case SYMLINK -> changes.put(ch.path(), "link " + after.content());
                case ABSENT -> changes.put(ch.path(), "deleted");
                case DIRECTORY -> changes.put(ch.path(), "directory");
            }
        }
        StringBuilder manifest = new StringBuilder();
        changes.forEach((p, what) -> manifest.append(p).append(' ').append(what).append('\n'));
        Path dir = GOLDEN.resolve(name);
        if (Boolean.getBoolean("xen2kvm.writeGolden")) {
            Files.writeString(GOLDEN.resolve(name + ".txt"), dump(r), StandardCharsets.UTF_8);
            Files.writeString(GOLDEN.resolve(name + ".changes"), manifest.toString(), StandardCharsets.UTF_8);
            if (Files.exists(dir)) {
                try (Stream<Path> old = Files.walk(dir)) {
                    for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            for (var e : files.entrySet()) {
                Path p = dir.resolve(e.getKey().substring(1));
                Files.createDirectories(p.getParent());
                Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
            }
        }
        assertEquals(Files.readString(GOLDEN.resolve(name + ".txt")), dump(r), name + ".txt");
        assertEquals(Files.readString(GOLDEN.resolve(name + ".changes")), manifest.toString(), name + ".changes");
        List<String> expectedFiles = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                String guestPath = "/" + dir.relativize(p).toString().replace('\\', '/');
                expectedFiles.add(guestPath);
                assertEquals(Files.readString(p), files.get(guestPath), "expected/" + name + guestPath);
            }
        }
        assertEquals(new ArrayList<>(files.keySet()), expectedFiles, "every written file has its golden copy");

        EditReport again = GuestEditor.applyAll(fs, ctx(fs, map, macs));
        assertEquals(List.of(), again.changes(), "edits must be idempotent");
        return r;
    }

    @Test
    void rhel5() throws Exception {
        EditReport r = convert("rhel5", KernelCmdlineTest.map("xvda"), "00:16:3e:5a:0b:21");
        String diff = r.unifiedDiff();
        assertTrue(diff.contains("--- a/etc/lvm/cache/.cache\n+++ /dev/null\n"), "a deleted file shows in --dry-run");
        assertTrue(diff.contains("--- /dev/null\n+++ b/.autorelabel\n"), "a new empty file shows in --dry-run");
        assertTrue(diff.contains("--- a/etc/rc.d/rc3.d/S05kudzu\n+++ /dev/null\n"), "a removed link shows in --dry-run");
        assertTrue(diff.contains("--- /dev/null\n+++ b/etc/rc.d/rc3.d/K95kudzu\n"), "a new link shows in --dry-run");
        assertEquals(List.of(
                "initramfs: /boot/initrd-2.6.18-398.el5.img: no virtio_blk/virtio_pci module; kernel 2.6.18-398.el5 will not"
                        + " find its root disk on virtio; rebuild it in the guest with:"
                        + " mkinitrd -f --with=virtio_pci --with=virtio_blk /boot/initrd-$(uname -r).img $(uname -r)"),
                r.warnings());
    }

    @Test
    void rhel6() throws Exception {
        EditReport r = convert("rhel6", KernelCmdlineTest.map("xvda", "xvdb"), "00:16:3e:6b:1c:42", "00:16:3e:6b:1c:43");
        assertEquals(List.of(
                "network: /etc/sysconfig/network-scripts/ifcfg-eth1: HWADDR 00:16:3E:0A:99:01 is no NIC of this guest;"
                        + " the interface will not come up until it is corrected"),
                r.warnings());
    }

    @Test
    void rhel5WithOnlyTheXenKernelKeepsDefaultKernelAndSaysWhy() throws Exception {
        MemoryFileSystem fs = GuestTrees.fixture("rhel5");
        fs.delete("/boot/vmlinuz-2.6.18-398.el5");
        fs.delete("/boot/initrd-2.6.18-398.el5.img");
        ConversionContext c = ctx(fs, KernelCmdlineTest.map("xvda"), "00:16:3e:5a:0b:21");
        EditReport r = GuestEditor.applyAll(fs, c);
        assertTrue(fs.readText("/etc/sysconfig/kernel").contains("\nDEFAULTKERNEL=kernel-xen\n"));
        assertTrue(r.warnings().contains("sysconfig-kernel: /etc/sysconfig/kernel line 6: DEFAULTKERNEL=kernel-xen left:"
                + " the guest has no other kernel yet; set it to the package of the kernel you install (kernel)"), r.warnings().toString());
    }

    @Test
    void xenOnlyHypervisorEntryStaysButIsNotDefault() throws Exception {
        MemoryFileSystem fs = GuestTrees.fixture("rhel5");
        GuestEditor.applyAll(fs, ctx(fs, KernelCmdlineTest.map("xvda"), "00:16:3e:5a:0b:21"));
        String menu = fs.readText("/boot/grub/grub.conf");
        assertTrue(menu.contains("\tkernel /xen.gz-2.6.18-398.el5\n\tmodule /vmlinuz-2.6.18-398.el5xen ro"), menu);
        assertTrue(menu.contains("\ndefault=2\n"), menu);
        assertFalse(menu.contains("console=xvc0"), menu);
    }
}
