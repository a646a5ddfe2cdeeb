package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xen2kvm.testutil.StrictJson;
import org.xen2kvm.testutil.ExternalTool;
import org.xen2kvm.testutil.XenOnlyGuest;

/**
 * Every command as a user runs it: the packaged jar in a child JVM, through {@code bin/xen2kvm}
 * and through {@code java -jar}, checking stdout, stderr and the exit code. In-process tests
 * ({@link CliTest}) cannot see what is lost between the command and the process's streams;
 * {@code inspect} printed nothing and exited 0 because its output was never flushed before
 * {@code System.exit}.
 *
 * <p>Run by maven-failsafe after {@code package}, which passes the jar, launcher and example
 * paths as system properties. A missing jar or launcher is a failure, never a skip.
 */
class LauncherIT {
    private static final long TIMEOUT_SECONDS = 180;
    private static final long IMAGE_SIZE = 8L << 20;

    /** The two ways a user starts xen2kvm. */
    enum Launcher {
        SCRIPT, JAR
    }

    record Run(int exit, String out, String err) {
        /** stderr's lines; an error must be exactly one. */
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
        }
    }

    @TempDir
    static Path work;
    static Path jar;
    static Path launcher;
    static Path examples;
    /** The demo guest of testdata/examples/make-example.sh: a Debian root filesystem and swap. */
    static Path demo;
    /** An 8 MiB raw image with a few bytes of data. */
    static Path raw;

    @BeforeAll
    static void setUp() throws Exception {
        jar = existing("xen2kvm.jar", "the packaged jar; build it with mvn -B package -DskipTests");
        launcher = existing("xen2kvm.launcher", "bin/xen2kvm, the launcher script");
        examples = existing("xen2kvm.examples", "testdata/examples");
        assertTrue(Files.isExecutable(launcher), launcher + " is not executable");
        ExternalTool.require("mkfs.ext4", "mkswap");
        Process p = new ProcessBuilder(examples.resolve("make-example.sh").toString(), work.resolve("demo").toString())
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "make-example.sh failed: " + said);
        demo = Path.of(said.strip());
        assertTrue(Files.isRegularFile(demo), said);

        raw = work.resolve("disk.raw");
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(IMAGE_SIZE);
            f.seek(1 << 20);
            f.write("xen2kvm launcher test".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static Path existing(String property, String what) {
        String value = System.getProperty(property);
        if (value == null) {
            fail("system property " + property + " (" + what + ") is not set: run this test with "
                    + "mvn verify, whose failsafe configuration in converter-cli/pom.xml sets it");
        }
        Path p = Path.of(value).toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            fail(p + " not found (" + what + ")");
        }
        return p;
    }

    /** Runs xen2kvm with {@code args} through {@code how}, stdin empty, in {@link #work}. */
    static Run run(Launcher how, String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        if (how == Launcher.SCRIPT) {
            command.add(launcher.toString());
        } else {
            command.addAll(List.of(java, "-jar", jar.toString()));
        }
        command.addAll(Arrays.asList(args));
        Path out = Files.createTempFile(work, "stdout", ".txt");
        Path err = Files.createTempFile(work, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA", java);
        pb.environment().put("XDG_CACHE_HOME", work.resolve("cache").toString());
        pb.environment().remove("XEN2KVM_JAR");
        pb.environment().remove("XEN2KVM_JAVA_OPTS");
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Path dir(Launcher how, String name) {
        return work.resolve(how.name().toLowerCase() + "-" + name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object json) {
        assertTrue(json instanceof Map, "not a JSON object: " + json);
        return (Map<String, Object>) json;
    }

    private static Map<String, Object> jsonObject(Run r) {
        return object(StrictJson.parse(r.out()));
    }

    private static void assertOneLineError(Run r, int exit, String expected) {
        assertEquals(exit, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals(List.of(expected), r.errLines(), r.toString());
    }

    // --- the top-level command -------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void versionPrintsTheProjectVersion(Launcher how) throws Exception {
        Run r = run(how, "--version");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("xen2kvm " + System.getProperty("xen2kvm.version") + "\n", r.out(), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void helpListsTheCommandsAndExitCodes(Launcher how) throws Exception {
        Run r = run(how, "--help");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("Usage: xen2kvm "), r.toString());
        for (String word : List.of("inspect", "convert", "disk", "Exit codes:")) {
            assertTrue(r.out().contains(word), word + " missing from\n" + r);
        }
        assertEquals("", r.err(), r.toString());

        Run sub = run(how, "disk", "convert", "--help");
        assertEquals(0, sub.exit(), sub.toString());
        assertTrue(sub.out().startsWith("Usage: xen2kvm disk convert "), sub.toString());
        assertEquals("", sub.err(), sub.toString());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void badUsageExits2WithTheReasonOnStderr(Launcher how) throws Exception {
        Run unknown = run(how, "frobnicate");
        assertEquals(2, unknown.exit(), unknown.toString());
        assertEquals("", unknown.out(), unknown.toString());
        assertTrue(unknown.err().startsWith("Unmatched argument at index 0: 'frobnicate'\n"), unknown.toString());

        Run missing = run(how, "inspect");
        assertEquals(2, missing.exit(), missing.toString());
        assertEquals("", missing.out(), missing.toString());
        assertTrue(missing.err().startsWith("Missing required parameter: 'CONFIG'\n"), missing.toString());

        Run badOption = run(how, "disk", "convert", raw.toString(), "x.img", "-O", "vmdk");
        assertEquals(2, badOption.exit(), badOption.toString());
        assertEquals("", badOption.out(), badOption.toString());
        assertTrue(badOption.err().contains("unknown output format 'vmdk'; use raw or qcow2"), badOption.toString());
    }

    // --- inspect -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void inspectPrintsTheGuest(Launcher how) throws Exception {
        Run r = run(how, "inspect", demo.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith(demo + ": demo (xl, pv)\n"), r.toString());
        assertTrue(r.out().contains("\n  os      Debian GNU/Linux 12 (bookworm)\n"
                + "  distro  debian 12 (debian family, from /etc/os-release)\n"), r.toString());
        assertTrue(r.out().contains("\n  kernel  6.1.0-28-amd64  /boot/vmlinuz-6.1.0-28-amd64"), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void inspectJsonIsOneJsonObject(Launcher how) throws Exception {
        Run r = run(how, "inspect", "--json", demo.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err(), r.toString());
        Map<String, Object> top = jsonObject(r);
        assertEquals(demo.toString(), top.get("file"));
        assertEquals("xl", top.get("format"));
        assertEquals("demo", object(top.get("source")).get("name"));
        assertEquals("debian", object(top.get("guest")).get("osId"));
        assertEquals("/etc/os-release", object(top.get("guest")).get("osReleaseFile"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void inspectConfigOnlyReadsOnlyTheDefinition(Launcher how) throws Exception {
        Path pv = examples.resolve("minimal-pv.cfg");
        Run text = run(how, "inspect", "--config-only", pv.toString());
        assertEquals(0, text.exit(), text.toString());
        assertTrue(text.out().startsWith(pv + " (xl)\n"), text.toString());
        assertTrue(text.out().contains("\"name\": \"minimal-pv\""), text.toString());
        assertEquals("", text.err(), text.toString());

        Path pygrub = examples.resolve("minimal-pygrub.cfg");
        Run json = run(how, "inspect", "--config-only", "--json", pv.toString(), pygrub.toString());
        assertEquals(0, json.exit(), json.toString());
        assertEquals("", json.err(), json.toString());
        Object parsed = StrictJson.parse(json.out());
        assertTrue(parsed instanceof List<?> l && l.size() == 2, json.toString());
        List<?> both = (List<?>) parsed;
        assertEquals(pv.toString(), object(both.get(0)).get("file"));
        assertEquals("minimal-pv", object(object(both.get(0)).get("source")).get("name"));
        assertEquals(pygrub.toString(), object(both.get(1)).get("file"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void inspectOfBadInputIsOneLineNamingTheFileAndPlace(Launcher how) throws Exception {
        Path missing = work.resolve("no-such-guest.cfg");
        assertOneLineError(run(how, "inspect", missing.toString()), 2, "xen2kvm: " + missing + ": no such file");

        Path broken = brokenConfig();
        Run r = run(how, "inspect", "--config-only", broken.toString());
        assertEquals(2, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        // file:line:column, then what was wrong
        assertTrue(r.err().startsWith("xen2kvm: " + broken + ":4:1: "), r.toString());
    }

    private static Path brokenConfig() throws IOException, URISyntaxException {
        return Path.of(LauncherIT.class.getResource("broken-fail.cfg").toURI());
    }

    // --- convert -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void convertDryRunShowsThePlanAndWritesNothing(Launcher how) throws Exception {
        Path out = dir(how, "dry");
        Run text = run(how, "convert", "--dry-run", demo.toString(), "-o", out.toString());
        assertEquals(0, text.exit(), text.toString());
        assertTrue(text.out().startsWith("Plan (dry run: nothing is written) for demo from xl definition " + demo),
                text.toString());
        assertTrue(text.out().contains("<domain type=\"kvm\">"),
                "no domain XML in\n" + text);
        assertEquals("", text.err(), text.toString());

        Run json = run(how, "convert", "--dry-run", "--json", demo.toString(), "-o", out.toString());
        assertEquals(0, json.exit(), json.toString());
        Map<String, Object> top = jsonObject(json);
        assertEquals(true, top.get("dryRun"));
        assertEquals("demo", object(top.get("source")).get("name"));
        assertEventLines(json.err(), "stage");
        assertFalse(Files.exists(out), out + " was created by a dry run");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void convertWritesTheGuestAndReportsIt(Launcher how) throws Exception {
        Path out = dir(how, "convert");
        Run r = run(how, "convert", demo.toString(), "-o", out.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("Conversion for demo from xl definition " + demo + "\n"), r.toString());
        assertTrue(r.out().contains(out.resolve("demo-vda.qcow2").toString()), r.toString());
        assertEquals("", r.err(), r.toString());
        assertTrue(Files.isRegularFile(out.resolve("demo.xml")), out + " has no demo.xml");
        assertQcow2(out.resolve("demo-vda.qcow2"));

        // A second run into the same directory refuses to overwrite: one line, exit 1.
        Run again = run(how, "convert", demo.toString(), "-o", out.toString());
        assertOneLineError(again, 1, "xen2kvm: " + out.resolve("demo-vda.qcow2") + ": output exists; remove it or use --force");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void convertQuietPrintsNothing(Launcher how) throws Exception {
        Path out = dir(how, "quiet");
        Run r = run(how, "-q", "convert", "--progress", demo.toString(), "-o", out.toString(), "-O", "raw");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertTrue(Files.isRegularFile(out.resolve("demo.xml")), out + " has no demo.xml");
        assertEquals(64L << 20, Files.size(out.resolve("demo-vda.raw")));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void convertProgressGoesToStderr(Launcher how) throws Exception {
        Path out = dir(how, "progress");
        Run r = run(how, "convert", "--progress", demo.toString(), "-o", out.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("Conversion for demo "), r.toString());
        assertTrue(r.err().contains("== copy: " + demo.resolveSibling("disk.img")), r.toString());
        assertTrue(r.err().contains("demo-vda.qcow2: 100%"), r.toString());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void convertJsonPrintsTheResultOnStdoutAndEventsOnStderr(Launcher how) throws Exception {
        Path out = dir(how, "json");
        Run r = run(how, "convert", "--json", demo.toString(), "-o", out.toString());
        assertEquals(0, r.exit(), r.toString());
        Map<String, Object> top = jsonObject(r);
        assertEquals(false, top.get("dryRun"));
        assertEquals("demo", object(top.get("source")).get("name"));
        assertEventLines(r.err(), "stage", "progress");
        assertTrue(Files.isRegularFile(out.resolve("demo.xml")), out + " has no demo.xml");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void convertPoolNeedsAConnectionAndAFailedUploadLeavesNothing(Launcher how) throws Exception {
        Path out = dir(how, "pool");
        assertOneLineError(run(how, "convert", demo.toString(), "-o", out.toString(), "--pool", "images"), 2,
                "xen2kvm: --start, --verify-boot, --replace and --pool need --connect URI");
        assertFalse(Files.exists(out), out + " was created");

        // The disks are copied, then the pool is not there: exit 1, and the copies go again.
        Run r = run(how, "convert", demo.toString(), "-o", out.toString(), "--connect", "test:///default",
                "--pool", "nosuchpool");
        assertOneLineError(r, 1, "xen2kvm: test:///default: storage pool 'nosuchpool': Storage pool not found: no storage"
                + " pool with matching name 'nosuchpool'; list the pools with virsh pool-list --all");
        assertFalse(Files.exists(out), out + " was left behind");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void convertOfAGuestWhoseDiskIsMissingExits2(Launcher how) throws Exception {
        Path cfg = work.resolve(how + "-lost.cfg");
        Path lost = work.resolve("lost-disk.img");
        Files.writeString(cfg, "name = 'lost'\nmemory = 256\nkernel = '/boot/vmlinuz'\n"
                + "disk = [ 'file:" + lost + ",xvda,w' ]\n");
        Path out = dir(how, "lost");
        assertOneLineError(run(how, "convert", cfg.toString(), "-o", out.toString()), 2,
                "xen2kvm: " + lost + ": no such file");
        assertFalse(Files.exists(out.resolve("lost.xml")));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void convertOfAGuestWithoutAKvmKernelIsRefusedAndLeavesNothing(Launcher how) throws Exception {
        Path cfg = xenOnlyGuest();
        Path out = dir(how, "xenonly");
        for (String[] extra : List.of(new String[0], new String[] {"--dry-run"}, new String[] {"--boot", "disk"})) {
            List<String> args = new ArrayList<>(List.of("convert", cfg.toString(), "-o", out.toString()));
            args.addAll(Arrays.asList(extra));
            Run r = run(how, args.toArray(String[]::new));
            assertEquals(1, r.exit(), r.toString());
            assertEquals("", r.out(), r.toString());
            assertEquals(1, r.errLines().size(), r.toString());
            String m = r.errLines().get(0);
            assertTrue(m.startsWith("xen2kvm: xenonly: no kernel of the guest can boot on KVM: found "
                    + XenOnlyGuest.STRIPPED_RELEASE + " (no virtio_blk (not built in, no module under /lib/modules/"
                    + XenOnlyGuest.STRIPPED_RELEASE + "): it cannot find its disk; "), r.toString());
            assertTrue(m.contains(", " + XenOnlyGuest.XEN_RELEASE + " (release " + XenOnlyGuest.XEN_RELEASE
                    + " is a Xen flavour); "), r.toString());
            assertTrue(m.endsWith("; pass --install-kernel PKG (a standard kernel package for the guest, .deb or .rpm)"
                    + " or --boot direct --kernel FILE --initrd FILE (a kernel of this host and its initrd)"), r.toString());
            assertFalse(Files.exists(out), out + " was left behind");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    @SuppressWarnings("unchecked")
    void inspectShowsEachKernelsVerdictAndTheChoice(Launcher how) throws Exception {
        Path cfg = xenOnlyGuest();
        Run text = run(how, "inspect", cfg.toString());
        assertEquals(0, text.exit(), text.toString());
        assertTrue(text.out().contains("\n  kernel  " + XenOnlyGuest.XEN_RELEASE + " (Xen only)  /boot/vmlinuz-"
                + XenOnlyGuest.XEN_RELEASE + " + /boot/initrd-" + XenOnlyGuest.XEN_RELEASE + ".img\n"
                + "          KVM: no: release " + XenOnlyGuest.XEN_RELEASE + " is a Xen flavour\n"), text.toString());
        assertTrue(text.out().contains("\n  choice  none (no kernel in /boot can boot on KVM)\n"), text.toString());

        Run json = run(how, "inspect", "--json", cfg.toString());
        assertEquals(0, json.exit(), json.toString());
        Map<String, Object> guest = object(jsonObject(json).get("guest"));
        List<Object> kernels = (List<Object>) guest.get("kernels");
        Map<String, Object> stripped = object(kernels.get(0));
        assertEquals(XenOnlyGuest.STRIPPED_RELEASE, stripped.get("version"));
        assertEquals(false, stripped.get("kvmCapable"));
        assertEquals(false, stripped.get("xenOnly"));
        assertEquals("missing", stripped.get("virtioBlk"));
        assertEquals(2, ((List<Object>) stripped.get("reasons")).size());
        Map<String, Object> choice = object(guest.get("kernelChoice"));
        assertEquals(null, choice.get("release"));
        assertEquals("no kernel in /boot can boot on KVM", choice.get("why"));

        Run demoText = run(how, "inspect", demo.toString());
        assertTrue(demoText.out().contains("\n  choice  6.1.0-28-amd64 (the newest KVM-capable kernel)\n"), demoText.toString());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void convertWithBootDirectTakesTheKernelFromThisHost(Launcher how) throws Exception {
        Path cfg = xenOnlyGuest();
        Path kernel = Files.writeString(work.resolve(how + "-vmlinuz"), "a kernel of this host\n");
        Path initrd = Files.writeString(work.resolve(how + "-initrd"), "its initrd\n");
        Path out = dir(how, "direct");
        Run r = run(how, "convert", cfg.toString(), "-o", out.toString(), "-O", "raw", "--boot", "direct",
                "--kernel", kernel.toString(), "--initrd", initrd.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertTrue(r.out().contains("  boot:     direct kernel boot of this host's " + kernel + " with " + initrd
                + " (--boot direct)\n"), r.toString());
        assertEquals("a kernel of this host\n", Files.readString(out.resolve("xenonly-vmlinuz")));
        assertEquals("its initrd\n", Files.readString(out.resolve("xenonly-initrd.img")));
        String xml = Files.readString(out.resolve("xenonly.xml"));
        assertTrue(xml.contains("<cmdline>root=/dev/vda ro console=tty0 console=ttyS0,115200</cmdline>"), xml);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void kernelOptionsAreCheckedBeforeAnyWork(Launcher how) throws Exception {
        Path out = dir(how, "kernelopts");
        Path missing = work.resolve("no-such-kernel");
        assertOneLineError(run(how, "convert", demo.toString(), "-o", out.toString(), "--boot", "direct",
                "--kernel", missing.toString()), 2, "xen2kvm: --kernel " + missing + ": no such file");
        assertOneLineError(run(how, "convert", demo.toString(), "-o", out.toString(), "--install-kernel",
                missing + ".deb"), 2, "xen2kvm: --install-kernel " + missing + ".deb: no such file");
        assertOneLineError(run(how, "convert", demo.toString(), "-o", out.toString(), "--kernel", raw.toString()), 2,
                "xen2kvm: --kernel, --initrd and --cmdline need --boot direct");
        assertOneLineError(run(how, "convert", demo.toString(), "-o", out.toString(), "--boot", "pxe"), 2,
                "xen2kvm: --boot pxe: expected auto, direct or disk");
        assertFalse(Files.exists(out), out + " was created");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void installKernelRefusesWhatCannotGoIntoTheGuestAndLeavesNothing(Launcher how) throws Exception {
        ExternalTool.require("dpkg-deb");
        Path cfg = xenOnlyGuest();
        Path out = dir(how, "refused-kernel");
        Path pkgs = Files.createDirectories(work.resolve(how + "-pkgs"));
        String rel = "9.9.9-x2k";
        Path notKernel = deb(pkgs, "hello-x2k", "amd64", null, Map.of("usr/share/doc/hello-x2k/README", "hello\n"));
        Map<String, String> kernelFiles = Map.of("boot/vmlinuz-" + rel, "a kernel\n",
                "lib/modules/" + rel + "/modules.order", "");
        Path arm = deb(pkgs, "linux-image-" + rel, "arm64", null, kernelFiles);
        Path needy = deb(pkgs, "linux-image-" + rel, "amd64",
                "kmod, linux-base (>= 4.3~), x2k-absent-tool (>= 2) | x2k-other-tool, initramfs-tools | linux-initramfs-tool",
                kernelFiles);
        Path garbage = Files.writeString(pkgs.resolve("garbage.deb"), "not a package at all\n");
        assertOneLineError(run(how, "convert", cfg.toString(), "-o", out.toString(), "--install-kernel",
                notKernel.toString()), 1, "xen2kvm: " + notKernel + ": package hello-x2k 1.0 carries no kernel (no"
                + " /boot/vmlinuz-RELEASE with a /lib/modules/RELEASE/ tree); pass a kernel image package such as"
                + " linux-image-*.deb or kernel-*.rpm");
        assertFalse(Files.exists(out), out + " was left behind");
        assertOneLineError(run(how, "convert", cfg.toString(), "-o", out.toString(), "--install-kernel",
                arm.toString()), 1, "xen2kvm: " + arm + ": package linux-image-" + rel + " 1.0 is built for arm64, the"
                + " guest is amd64; pass a kernel package built for x86_64");
        assertFalse(Files.exists(out), out + " was left behind");
        // The guest's dpkg status has kmod, linux-base and initramfs-tools (providing linux-initramfs-tool).
        assertOneLineError(run(how, "convert", cfg.toString(), "-o", out.toString(), "--dry-run", "--install-kernel",
                needy.toString()), 1, "xen2kvm: " + needy + ": package linux-image-" + rel + " 1.0 needs what the guest"
                + " lacks: x2k-absent-tool (>= 2) | x2k-other-tool; install it in the guest first, or pass a kernel"
                + " package whose dependencies the guest has");
        assertFalse(Files.exists(out), out + " was left behind");
        // Every package is opened and checked before the first is installed; bad input is exit 2.
        Run r = run(how, "convert", cfg.toString(), "-o", out.toString(), "--install-kernel", notKernel.toString(),
                "--install-kernel", garbage.toString());
        assertOneLineError(r, 2, "xen2kvm: " + garbage + ": offset 0: neither a Debian package (!<arch> magic) nor an"
                + " RPM (ed ab ee db magic)");
        assertFalse(Files.exists(out), out + " was left behind");
    }

    /** A binary package built by dpkg-deb from {@code files} (path in the package to content). */
    private static Path deb(Path dir, String name, String arch, String depends, Map<String, String> files)
            throws Exception {
        Path tree = Files.createTempDirectory(dir, name + "-");
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.writeString(tree.resolve("DEBIAN/control"), "Package: " + name + "\nVersion: 1.0\nArchitecture: " + arch
                + "\nMaintainer: xen2kvm tests <tests@example.invalid>\n" + (depends == null ? "" : "Depends: " + depends
                + "\n") + "Description: a test package for --install-kernel\n");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = tree.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        Path deb = dir.resolve(name + "_1.0_" + arch + (depends == null ? "" : "-needy") + ".deb");
        ExternalTool.Result built = ExternalTool.run(List.of("dpkg-deb", "--root-owner-group", "--build", tree.toString(),
                deb.toString()));
        assertEquals(0, built.exitCode(), built.output());
        return deb;
    }

    private static Path xenOnlyGuestConfig;

    /** {@link XenOnlyGuest}, built once. */
    private static synchronized Path xenOnlyGuest() throws Exception {
        if (xenOnlyGuestConfig == null) {
            xenOnlyGuestConfig = XenOnlyGuest.build(work.resolve("xenonly"));
        }
        return xenOnlyGuestConfig;
    }

    /** Every line of {@code err} is a JSON object with an event, and all {@code kinds} occur. */
    private static void assertEventLines(String err, String... kinds) {
        assertFalse(err.isEmpty(), "no events on stderr");
        List<Object> seen = new ArrayList<>();
        for (String line : err.split("\n")) {
            seen.add(object(StrictJson.parse(line)).get("event"));
        }
        for (String kind : kinds) {
            assertTrue(seen.contains(kind), "no " + kind + " event in\n" + err);
        }
    }

    // --- disk info / disk convert ------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void diskInfoDescribesTheImage(Launcher how) throws Exception {
        Run text = run(how, "disk", "info", raw.toString());
        assertEquals(0, text.exit(), text.toString());
        assertTrue(text.out().startsWith("image: " + raw + "\nfile format: raw\nvirtual size: 8 MiB (8388608 bytes)\n"),
                text.toString());
        assertEquals("", text.err(), text.toString());

        Run json = run(how, "disk", "info", "--json", raw.toString());
        assertEquals(0, json.exit(), json.toString());
        assertEquals("", json.err(), json.toString());
        Map<String, Object> info = jsonObject(json);
        assertEquals(raw.toString(), info.get("filename"));
        assertEquals("raw", info.get("format"));
        assertEquals(IMAGE_SIZE, ((Number) info.get("virtual-size")).longValue());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void diskInfoOfBadInputIsOneLineNamingTheFileAndOffset(Launcher how) throws Exception {
        Path missing = work.resolve("no-such.img");
        assertOneLineError(run(how, "disk", "info", missing.toString()), 2,
                "xen2kvm disk info: " + missing + ": no such file");
        assertOneLineError(run(how, "disk", "info", badQcow2().toString()), 2,
                "xen2kvm disk info: " + badQcow2() + ": at offset 4: qcow2 version 99 is not supported (only 2 and 3)");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void diskConvertWritesTheImage(Launcher how) throws Exception {
        Path dst = dir(how, "disk.qcow2");
        Run r = run(how, "disk", "convert", raw.toString(), dst.toString(), "-O", "qcow2");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith(dst + ": wrote qcow2 image, virtual size 8388608 bytes, "), r.toString());
        assertEquals(1, r.out().split("\n").length, r.toString());
        assertEquals("", r.err(), r.toString());
        assertQcow2(dst);

        Run quiet = run(how, "-q", "disk", "convert", "--progress", raw.toString(), dir(how, "quiet.raw").toString(),
                "-O", "raw");
        assertEquals(0, quiet.exit(), quiet.toString());
        assertEquals("", quiet.out(), quiet.toString());
        assertEquals("", quiet.err(), quiet.toString());
        assertEquals(IMAGE_SIZE, Files.size(dir(how, "quiet.raw")));

        Run json = run(how, "disk", "convert", "--json", raw.toString(), dir(how, "json.raw").toString(), "-O", "raw");
        assertEquals(0, json.exit(), json.toString());
        assertEquals("", json.err(), json.toString());
        String[] lines = json.out().split("\n");
        Map<String, Object> last = object(StrictJson.parse(lines[lines.length - 1]));
        assertEquals("done", last.get("event"));
        assertEquals(IMAGE_SIZE, ((Number) last.get("virtualSize")).longValue());
        for (String line : lines) {
            object(StrictJson.parse(line));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Launcher.class)
    void diskConvertOfBadInputIsOneLineNamingTheFile(Launcher how) throws Exception {
        Path missing = work.resolve("no-such.img");
        Path dst = dir(how, "never.raw");
        assertOneLineError(run(how, "disk", "convert", missing.toString(), dst.toString(), "-O", "raw"), 2,
                "xen2kvm disk convert: " + missing + ": source image not found");
        assertOneLineError(run(how, "disk", "convert", badQcow2().toString(), dst.toString(), "-O", "raw"), 2,
                "xen2kvm disk convert: " + badQcow2() + ": at offset 4: qcow2 version 99 is not supported (only 2 and 3)");
        assertFalse(Files.exists(dst), dst + " was written from bad input");

        Path taken = dir(how, "taken.raw");
        Files.writeString(taken, "keep me");
        assertOneLineError(run(how, "disk", "convert", raw.toString(), taken.toString(), "-O", "raw"), 2,
                "xen2kvm disk convert: " + taken
                        + ": output file already exists; remove it or pass --force to replace it");
        assertEquals("keep me", Files.readString(taken));
    }

    /** A qcow2 header with an unsupported version (99) at offset 4. */
    private static Path badQcow2() throws IOException {
        Path p = work.resolve("version99-fail.qcow2");
        if (!Files.exists(p)) {
            byte[] header = new byte[4096];
            byte[] start = {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 99};
            System.arraycopy(start, 0, header, 0, start.length);
            Files.write(p, header);
        }
        return p;
    }

    private static void assertQcow2(Path image) throws IOException {
        byte[] magic = new byte[4];
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
            f.readFully(magic);
        }
        assertEquals("QFI\u00fb", new String(magic, StandardCharsets.ISO_8859_1), image + " is not a qcow2 image");
    }
}
