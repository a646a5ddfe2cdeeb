package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.StrictJson;
import org.xen2kvm.lvm.LvmTestGuest;
import org.xen2kvm.testutil.Hashes;

/**
 * LVM guests through the real launcher ({@code bin/xen2kvm} in a child process): a guest whose VG
 * holds a thin pool (made with lvm2's vgcfgrestore) is refused with one line naming the LV and
 * the reason, exit 1, and nothing left; {@code --no-guest-edits} converts it as a plain disk copy
 * and the plan says which edits were skipped and why; {@code inspect} shows the layout.
 */
class LvmLauncherIT {
    @TempDir
    static Path work;
    static Path launcher;
    static LvmTestGuest thin;
    static LvmTestGuest plain;

    @BeforeAll
    static void setUp() throws Exception {
        String l = System.getProperty("xen2kvm.launcher");
        if (l == null || !Files.isExecutable(Path.of(l))) {
            fail("system property xen2kvm.launcher (bin/xen2kvm) is not set or not executable: run with mvn verify");
        }
        launcher = Path.of(l).toAbsolutePath().normalize();
        thin = LvmTestGuest.build(work.resolve("thin"), "rhel-thin", LvmTestGuest.Extra.THIN_POOL);
        plain = LvmTestGuest.build(work.resolve("plain"), "rhel-plain", LvmTestGuest.Extra.NONE);
    }

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
        }
    }

    static Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(work, "stdout", ".txt");
        Path err = Files.createTempFile(work, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("XDG_CACHE_HOME", work.resolve("cache").toString());
        pb.environment().remove("XEN2KVM_JAR");
        pb.environment().remove("XEN2KVM_JAVA_OPTS");
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail(command + " did not finish in 180 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void aThinPoolIsRefusedByNameWithExit1AndNothingLeft() throws Exception {
        String before = Hashes.sha256(thin.disk());
        Path out = work.resolve("refused");
        Run r = run("convert", thin.config().toString(), "-o", out.toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals("xen2kvm: rhel-thin: LV VolGroup00/pool segment 1 has type 'thin-pool' (thin provisioning); only"
                + " linear and striped segments are handled: the guest's files there cannot be read or edited; convert"
                + " with --no-guest-edits to copy the disks without changing the guest\n", r.err(), r.toString());
        assertFalse(Files.exists(out), out + " was left behind");
        assertEquals(before, Hashes.sha256(thin.disk()), "the source changed");

        // A dry run refuses the same way: it shows what a real run does.
        Run dry = run("convert", "--dry-run", thin.config().toString(), "-o", out.toString());
        assertEquals(1, dry.exit(), dry.toString());
        assertEquals(r.err(), dry.err());
    }

    @Test
    void noGuestEditsCopiesTheRefusedGuestAndThePlanSaysWhy() throws Exception {
        Path out = work.resolve("unedited");
        Run r = run("convert", "--no-guest-edits", thin.config().toString(), "-o", out.toString(), "-O", "raw");
        assertEquals(0, r.exit(), r.toString());
        String edits = String.join(", ", org.xen2kvm.edit.GuestEditor.defaultEdits().stream()
                .map(org.xen2kvm.edit.GuestEdit::name).toList());
        assertTrue(r.out().contains("guest edits skipped (--no-guest-edits): " + edits
                + " are left as on Xen; the disks are copied unchanged; LVM parts not handled: LV"
                + " VolGroup00/pool segment 1 has type 'thin-pool'"), r.toString());
        assertEquals(Hashes.sha256(thin.disk()), Hashes.sha256(out.resolve("rhel-thin-vda.raw")),
                "the copy differs from the source");
        assertTrue(Files.isRegularFile(out.resolve("rhel-thin.xml")), r.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void noGuestEditsWorksForAnyGuestAndShowsNoDiffs() throws Exception {
        Run edited = run("convert", "--dry-run", "--json", plain.config().toString(), "-o", work.resolve("x").toString());
        assertEquals(0, edited.exit(), edited.toString());
        Map<String, Object> withEdits = (Map<String, Object>) StrictJson.parse(edited.out());
        assertTrue(withEdits.get("edits") != null, "the plain guest needs edits: " + edited.out());

        Path out = work.resolve("plain-out");
        Run r = run("convert", "--no-guest-edits", "--json", plain.config().toString(), "-o", out.toString(), "-O", "raw");
        assertEquals(0, r.exit(), r.toString());
        Map<String, Object> report = (Map<String, Object>) StrictJson.parse(r.out());
        List<Object> warnings = (List<Object>) report.get("warnings");
        assertTrue(String.valueOf(warnings).contains("guest edits skipped (--no-guest-edits)"), r.out());
        assertEquals(Hashes.sha256(plain.disk()), Hashes.sha256(out.resolve("rhel-plain-vda.raw")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void inspectShowsTheLvmLayoutAndWhatIsRefused() throws Exception {
        Run text = run("inspect", thin.config().toString());
        assertEquals(0, text.exit(), text.toString());
        assertTrue(text.out().contains("\n  vg      VolGroup00  size 92 MiB, free "), text.toString());
        assertTrue(text.out().contains("\n    pv    xvda1 (KVM /dev/vda1)  92 MiB  UUID="), text.toString());
        assertTrue(text.out().contains("\n    lv    LogVol00  48 MiB  linear  ext4 /\n"), text.toString());
        assertTrue(text.out().contains("\n    lv    pool  32 MiB  thin-pool  not handled: segment 1 has type 'thin-pool'"),
                text.toString());

        Run json = run("inspect", "--json", thin.config().toString());
        assertEquals(0, json.exit(), json.toString());
        Map<String, Object> top = (Map<String, Object>) StrictJson.parse(json.out());
        Map<String, Object> lvm = (Map<String, Object>) top.get("lvm");
        List<Map<String, Object>> vgs = (List<Map<String, Object>>) lvm.get("volumeGroups");
        assertEquals("VolGroup00", vgs.get(0).get("name"));
        Map<String, Object> pv = ((List<Map<String, Object>>) vgs.get(0).get("physicalVolumes")).get(0);
        assertEquals("xvda1", pv.get("xenDevice"));
        assertEquals("/dev/vda1", pv.get("device"));
        List<Map<String, Object>> lvs = (List<Map<String, Object>>) vgs.get(0).get("logicalVolumes");
        assertEquals("LogVol00", lvs.get(0).get("name"));
        assertEquals("ext4", lvs.get(0).get("content"));
        assertEquals("/", lvs.get(0).get("mountPoint"));
        assertEquals(List.of("thin-pool"), lvs.get(1).get("segmentTypes"));
        assertEquals(1, ((List<Object>) lvm.get("refused")).size(), json.out());
    }
}
