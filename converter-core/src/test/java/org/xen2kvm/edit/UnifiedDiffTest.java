package org.xen2kvm.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.ExternalTool;

/** Checks the diff generator against GNU {@code diff -u} and {@code patch}, the tools that read and write this format. */
class UnifiedDiffTest {

    @TempDir
    Path tmp;

    private String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private String gnuDiff(String a, String b) throws Exception {
        Files.writeString(tmp.resolve("a.txt"), a);
        Files.writeString(tmp.resolve("b.txt"), b);
        return run(List.of("diff", "-u", "--label", "a/f", "--label", "b/f", "a.txt", "b.txt"));
    }

    private static final String[][] CASES = {
        {"a\nb\nc\n", "a\nB\nc\n"},
        {"", "new\nfile\n"},
        {"old\n", ""},
        {"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
         "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\nX\n19\n20\n"},
        {"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\nfour\n5\n6\n7\n8\n9\nten\n"},
        {"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n", "1\ntwo\n3\n4\n5\n6\n7\n8\n9\nten\n11\n"},
        {"no newline", "no newline\n"},
        {"x\ny", "x\nz"},
        {"keep\nlast", "added\nkeep\nlast"},
        {"a\nb\nc\nd\n", "a\nc\nd\ne\n"},
        {"# fstab\nproc /proc proc defaults 0 0\n/dev/xvda2 / ext4 defaults 0 1\n/dev/xvda1 none swap sw 0 0\n",
         "# fstab\nproc /proc proc defaults 0 0\n/dev/vda / ext4 defaults 0 1\n/dev/vdb none swap sw 0 0\n"},
    };

    @Test
    void matchesGnuDiffOnUnambiguousInputs() throws Exception {
        ExternalTool.require("diff");
        for (String[] c : CASES) {
            assertEquals(gnuDiff(c[0], c[1]), UnifiedDiff.diff("a/f", "b/f", c[0], c[1]),
                    () -> "diff of " + c[0].replace("\n", "|") + " -> " + c[1].replace("\n", "|"));
        }
    }

    @Test
    void equalTextsGiveNothingAndMissingFilesAreDevNull() {
        assertEquals("", UnifiedDiff.diff("a/f", "b/f", "same\n", "same\n"));
        assertEquals("--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+/lib/systemd/system/serial-getty@.service\n\\ No newline at end of file\n",
                UnifiedDiff.diff("a/f", "b/f", null, "/lib/systemd/system/serial-getty@.service"));
        assertEquals("--- a/f\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n", UnifiedDiff.diff("a/f", "b/f", "x\ny\n", null));
    }

    /** Random edits of random files: patch must turn a into b with our diff, whichever equally short diff we chose. */
    @Test
    void randomDiffsApplyWithPatch() throws Exception {
        ExternalTool.require("patch");
        Random r = new Random(42);
        for (int round = 0; round < 40; round++) {
            List<String> a = new ArrayList<>();
            int n = r.nextInt(30);
            for (int i = 0; i < n; i++) {
                a.add("line " + r.nextInt(8));
            }
            List<String> b = new ArrayList<>(a);
            int edits = r.nextInt(6);
            for (int e = 0; e < edits; e++) {
                int op = r.nextInt(3);
                if (op == 0 || b.isEmpty()) {
                    b.add(b.isEmpty() ? 0 : r.nextInt(b.size() + 1), "new " + r.nextInt(5));
                } else if (op == 1) {
                    b.remove(r.nextInt(b.size()));
                } else {
                    b.set(r.nextInt(b.size()), "changed " + r.nextInt(5));
                }
            }
            String at = String.join("\n", a) + (a.isEmpty() || r.nextBoolean() ? "" : "\n");
            String bt = String.join("\n", b) + (b.isEmpty() || r.nextBoolean() ? "" : "\n");
            String d = UnifiedDiff.diff("a/f", "b/f", at, bt);
            if (at.equals(bt)) {
                assertEquals("", d);
                continue;
            }
            Files.writeString(tmp.resolve("f"), at);
            Files.writeString(tmp.resolve("p.diff"), d);
            String out = run(List.of("patch", "--quiet", "--force", "-p1", "-i", "p.diff"));
            assertEquals(bt, Files.readString(tmp.resolve("f")), () -> "round with patch output " + out + " and diff\n" + d);
        }
    }

    @Test
    void hugeDifferencesDegradeToReplaceAll() {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < UnifiedDiff.MAX_EDIT_DISTANCE + 10; i++) {
            a.append("a").append(i).append('\n');
            b.append("b").append(i).append('\n');
        }
        String d = UnifiedDiff.diff("a/f", "b/f", a.toString(), b.toString());
        int n = UnifiedDiff.MAX_EDIT_DISTANCE + 10;
        assertEquals("@@ -1," + n + " +1," + n + " @@", d.split("\n")[2]);
        assertEquals(3 + 2 * n, d.split("\n").length);
    }

    @Test
    void binaryFilesAreOneLineWithTheirSizes() throws Exception {
        assertEquals("Binary file /boot/initrd.img changed (10 -> 12 bytes)\n", UnifiedDiff.binaryNote("/boot/initrd.img", 10, 12));
        assertEquals("Binary file /x created (3 bytes)\n", UnifiedDiff.binaryNote("/x", -1, 3));
        assertEquals("Binary file /x removed (3 bytes)\n", UnifiedDiff.binaryNote("/x", 3, -1));
        // Through the recording filesystem: a file with NUL bytes is binary, its change one line plus the notes about it.
        org.xen2kvm.fs.MemoryFileSystem fs = new org.xen2kvm.fs.MemoryFileSystem("binary").dir("/boot").dir("/etc");
        fs.writeFile("/boot/initrd.img", new byte[] {31, (byte) 139, 0, 1}, 0644, 0, 0);
        RecordingFileSystem rec = new RecordingFileSystem(fs);
        rec.writeFile("/boot/initrd.img", new byte[] {31, (byte) 139, 0, 1, 2, 3}, 0644, 0, 0);
        rec.writeFile("/etc/text", "a\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0644, 0, 0);
        EditReport r = new EditReport(rec.changes(), java.util.Map.of("initramfs",
                java.util.List.of("/boot/initrd.img (dracut): rebuilt for KVM: added modules virtio_blk", "other note")));
        assertEquals("Binary file /boot/initrd.img changed (4 -> 6 bytes)\n"
                + "  initramfs: /boot/initrd.img (dracut): rebuilt for KVM: added modules virtio_blk\n"
                + "--- /dev/null\n+++ b/etc/text\n@@ -0,0 +1 @@\n+a\n", r.unifiedDiff());
        // The same bytes written again are no change.
        RecordingFileSystem again = new RecordingFileSystem(fs);
        again.writeFile("/boot/initrd.img", fs.readFile("/boot/initrd.img", 100), 0644, 0, 0);
        assertEquals(java.util.List.of(), again.changes());
    }
}
