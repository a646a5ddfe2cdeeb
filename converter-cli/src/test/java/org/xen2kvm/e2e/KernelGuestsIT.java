package org.xen2kvm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xen2kvm.testutil.StrictJson;
import org.xen2kvm.libvirt.BootReport;
import org.xen2kvm.libvirt.LibvirtRegistrar;
import org.xen2kvm.libvirt.RegisteredDomain;
import org.xen2kvm.libvirt.SerialConsole;
import org.xen2kvm.testutil.ExternalTool;

/**
 * End to end for the kernel swap (issue 11), on the guests of
 * {@code testdata/build-kernel-guests.sh} ({@code XEN2KVM_KERNEL_GUESTS}), booted by a real
 * libvirtd ({@code qemu:///system}, TCG).
 *
 * <p>The negative proofs run always: guest-modlist and guest-novirtio, exactly as built
 * (their own kernel and initramfs, the root on a virtio disk as on KVM), never find their
 * root disk; the initramfs says so on the serial console. They show the guests are the
 * problem the kernel swap has to solve, and that the build did not quietly leave virtio in.
 *
 * <p>The positive tests convert with the real CLI and log in on the serial console. guest-modlist
 * and guest-dracut boot with the initramfs the conversion rebuilds (org.xen2kvm.kernel.VirtioInitramfs);
 * guest-novirtio boots the cloud kernel {@code --install-kernel} installs (pipeline.InstallKernels),
 * from its disk and directly. One boot per scenario; every check of a scenario is made in that
 * one login.
 */
class KernelGuestsIT {
    private static final String URI = "qemu:///system";
    private static final String PASSWORD = "xen2kvm";
    /** A Debian boot under TCG takes about a minute here; a loaded 2-core runner, several. */
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(420);
    /** First boot after --install-kernel registers the package with dpkg: TCG makes that slow. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(600);
    private static final Pattern PROMPT = Pattern.compile("root@[^:\\s]+:[^#\\n]*# $");
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]");
    /**
     * initramfs-tools' scripts/local once it gives up on the root device: "Gave up waiting
     * for root file system device." then "ALERT!  /dev/vda does not exist.  Dropping to a
     * shell!". A login prompt instead means the guest booted after all.
     */
    private static final Pattern GAVE_UP_OR_BOOTED = Pattern.compile("ALERT!\\s+\\S+ does not exist|login: ");

    private KernelGuests guests;
    private final Leftovers leftovers = new Leftovers(URI);
    @BeforeEach
    void setUp() throws IOException {
        guests = KernelGuests.fromEnvironment();
    }

    @AfterEach
    void cleanUp() throws IOException {
        leftovers.removeAll();
    }

    // ------------------------------------------------------------ negative proofs ----

    @Test
    void modlistGuestAsBuiltCannotFindItsRootOnAVirtioDisk() throws Exception {
        Path g = guests.guest("guest-modlist");
        assertGivesUpOnRoot("guest-modlist", g.resolve("vmlinuz"), g.resolve("initrd.img"), "/dev/vda");
    }

    @Test
    void novirtioGuestAsBuiltCannotFindItsRootOnAVirtioDisk() throws Exception {
        Path boot = guests.guest("guest-novirtio").resolve("direct-boot");
        assertGivesUpOnRoot("guest-novirtio", boot.resolve("vmlinuz"), boot.resolve("initrd.img"), "/dev/vda1");
    }

    /**
     * Boots the guest's own kernel and initramfs on copies of its disks attached as virtio
     * disks, with the root device KVM would give it, and requires the initramfs to give up.
     */
    private void assertGivesUpOnRoot(String guest, Path vmlinuz, Path initrd, String rootDev) throws Exception {
        Path dir = guests.guest(guest);
        Map<Path, String> before = DebianGuestsBootIT.hashes(dir);
        Path out = outputDir(guest + "-asbuilt");
        Path disk = sparseCopy(dir.resolve("disk.img"), out.resolve("disk.img"));
        Path swap = sparseCopy(dir.resolve("swap.img"), out.resolve("swap.img"));
        Path kernel = Files.copy(vmlinuz, out.resolve("vmlinuz"));
        Path ramdisk = Files.copy(initrd, out.resolve("initrd.img"));
        String name = "kguests-asbuilt-" + guest + "-" + UUID.randomUUID().toString().substring(0, 8);
        String uuid = UUID.randomUUID().toString();
        String xml = directBootXml(name, uuid, kernel, ramdisk, "root=" + rootDev + " ro console=ttyS0",
                List.of(disk, swap));
        Path log = out.resolve(guest + "-console.log");
        long t0 = System.nanoTime();
        BootReport report;
        try (LibvirtRegistrar r = connect()) {
            RegisteredDomain d = r.define(xml, name, uuid, false);
            leftovers.domain(d);
            report = r.verifyBoot(d, BOOT_TIMEOUT, GAVE_UP_OR_BOOTED, log, false);
        }
        String console = Files.readString(log, StandardCharsets.UTF_8).replace("\r", "");
        System.out.printf("%s as built, on a virtio disk: %s after %.0f s%n", guest,
                console.contains("ALERT!") ? "the initramfs gave up" : console.contains("login: ") ? "it booted"
                        : "nothing", (System.nanoTime() - t0) / 1e9);
        assertTrue(report.booted(), guest + ": neither the initramfs' ALERT nor a login prompt within "
                + BOOT_TIMEOUT.toSeconds() + " s; last lines:\n" + report.lastConsoleLines());
        assertFalse(console.contains("login: "), guest + " booted on a virtio disk: the test guest is no proof:\n"
                + report.lastConsoleLines());
        assertTrue(console.contains("Gave up waiting for root file system device"), console);
        assertTrue(Pattern.compile("ALERT!\\s+" + Pattern.quote(rootDev) + " does not exist").matcher(console).find(),
                console);
        // The kernel ran and looked for disks: this is the initramfs failing, not QEMU.
        assertTrue(console.contains("Linux version " + guests.kernel()), console);
        assertEquals(before, DebianGuestsBootIT.hashes(dir), "source images changed");
    }

    // ------------------------------------------------------------- --install-kernel ----

    /**
     * A dry run with {@code --install-kernel} does the whole install in the overlays: the plan
     * lists the package and the initramfs built for it, the new kernel is judged and chosen,
     * the boot follows it, and nothing is written.
     */
    @Test
    @SuppressWarnings("unchecked")
    void novirtioDryRunInstallsTheCloudKernelInTheOverlayOnly() throws Exception {
        String cloud = guests.cloudKernelRelease();
        Path out = outputDir("guest-novirtio-dry");
        Map<Path, String> before = DebianGuestsBootIT.hashes(guests.guest("guest-novirtio"));
        for (String[] boot : List.of(new String[0], new String[] {"--boot", "direct"})) {
            List<String> args = new ArrayList<>(List.of("convert", guests.config("guest-novirtio").toString(), "-o",
                    out.resolve("o").toString(), "--dry-run", "--json", "--install-kernel",
                    guests.cloudKernelDeb().toString()));
            args.addAll(Arrays.asList(boot));
            DebianGuestsBootIT.Run run = DebianGuestsBootIT.cli(args.toArray(String[]::new));
            assertEquals(0, run.exit(), run.err() + run.out());
            Map<String, Object> report = (Map<String, Object>) StrictJson.parse(run.out());
            List<String> installed = (List<String>) report.get("installedKernels");
            assertEquals(2, installed.size(), installed.toString());
            assertTrue(installed.get(0).startsWith("linux-image-" + cloud + " "), installed.get(0));
            assertTrue(installed.get(0).contains("kernel /boot/vmlinuz-" + cloud + ", initramfs /boot/initrd.img-" + cloud
                    + " (from /boot/initrd.img-" + guests.kernel() + ", "), installed.get(0));
            assertTrue(installed.get(0).contains("virtio_blk"), installed.get(0));
            assertTrue(installed.get(1).startsWith("first boot: /usr/lib/xen2kvm/firstboot.sh registers linux-image-"
                    + cloud), installed.get(1));
            Map<String, Object> guest = (Map<String, Object>) report.get("guest");
            Map<String, Object> choice = (Map<String, Object>) guest.get("kernelChoice");
            assertEquals(cloud, choice.get("release"), "chosen: " + choice);
            String xml = (String) report.get("domainXml");
            if (boot.length > 0) {
                assertTrue(xml.contains("<kernel>") && xml.contains("<initrd>"), xml);
                assertTrue(Pattern.compile("<cmdline>[^<]*root=/dev/vda1 [^<]*console=ttyS0").matcher(xml).find(), xml);
            }
            String edits = (String) report.get("edits");
            assertFalse(edits.contains("b/lib/modules/" + cloud + "/") || edits.contains("b/boot/vmlinuz-" + cloud),
                    "the package's files are summed up, not shown as diffs");
        }
        assertFalse(Files.exists(out.resolve("o")), "a dry run wrote " + out.resolve("o"));
        assertEquals(before, DebianGuestsBootIT.hashes(guests.guest("guest-novirtio")), "source images changed");
    }

    // ------------------------------------------------------- positive (kernel swap) ----

    @Test
    void modlistGuestConvertedBootsWithARebuiltInitramfs() throws Exception {
        try (LoggedIn s = convertAndLogIn("guest-modlist")) {
            s.assertBasics(guests.kernel(), "/dev/vda", "/dev/vdb", "10.99.0.12/24");
            String modules = s.run("lsmod | grep -c '^virtio_blk '");
            assertEquals("1", modules.strip(), "virtio_blk loaded: " + modules);
        }
    }

    @Test
    void novirtioGuestWithInstalledCloudKernelBootsIntoIt() throws Exception {
        String cloud = guests.cloudKernelRelease();
        try (LoggedIn s = convertAndLogIn("guest-novirtio", "--install-kernel", guests.cloudKernelDeb().toString())) {
            s.assertBasics(cloud, "/dev/vda1", "/dev/vdb", "10.99.0.13/24");
            String oldEntries = s.run("grep -c 'vmlinuz-" + guests.kernel() + " ' /boot/grub/grub.cfg");
            assertTrue(Integer.parseInt(oldEntries.strip()) >= 1, "the Xen kernel's menu entry is gone: " + oldEntries);
            String newEntries = s.run("grep -c 'vmlinuz-" + cloud + " ' /boot/grub/grub.cfg");
            assertTrue(Integer.parseInt(newEntries.strip()) >= 1, "no menu entry for " + cloud + ": " + newEntries);
            String status = s.run("dpkg-query -W -f='${Status}\\n' linux-image-" + cloud);
            assertEquals("install ok installed", status.strip(), "dpkg after first boot: " + status);
            String leftovers = s.run("find /etc/systemd/system /etc/init.d /etc/rc?.d -iname '*xen2kvm*'");
            assertEquals("", leftovers.strip(), "the first-boot service did not remove itself: " + leftovers);
            String firstBootLog = s.run("test -s /var/log/xen2kvm-firstboot.log && echo logged");
            assertEquals("logged", firstBootLog.strip(), "no /var/log/xen2kvm-firstboot.log: it never ran");
        }
    }

    @Test
    void novirtioGuestBootsTheCloudKernelDirectlyFromTheHost() throws Exception {
        try (LoggedIn s = convertAndLogIn("guest-novirtio", "--install-kernel", guests.cloudKernelDeb().toString(),
                "--boot", "direct")) {
            s.assertBasics(guests.cloudKernelRelease(), "/dev/vda1", "/dev/vdb", "10.99.0.13/24");
        }
    }

    @Test
    void dracutGuestConvertedBoots() throws Exception {
        try (LoggedIn s = convertAndLogIn("guest-dracut")) {
            s.assertBasics(guests.kernel(), "/dev/vda1", "/dev/vdb", "10.99.0.14/24");
        }
    }

    /**
     * Converts {@code guest} with the real CLI, registers and starts it (waiting for the
     * login prompt) and logs in as root on the serial console.
     */
    @SuppressWarnings("unchecked")
    private LoggedIn convertAndLogIn(String guest, String... extra) throws Exception {
        Path dir = guests.guest(guest);
        Map<Path, String> before = DebianGuestsBootIT.hashes(dir);
        Path out = outputDir(guest);
        String name = "kguests-" + guest;
        List<String> args = new ArrayList<>(List.of("convert", guests.config(guest).toString(), "-o", out.toString(),
                "--name", name, "--domain-type", "qemu", "--json", "--connect", URI, "--replace", "--start",
                "--verify-boot=" + BOOT_TIMEOUT.toSeconds()));
        args.addAll(Arrays.asList(extra));
        long t0 = System.nanoTime();
        DebianGuestsBootIT.Run run = DebianGuestsBootIT.cli(args.toArray(String[]::new));
        System.out.printf("%s %s: convert + boot to login took %.1f s%n", guest, String.join(" ", extra),
                (System.nanoTime() - t0) / 1e9);
        Map<String, Object> report = run.exit() == 0 ? (Map<String, Object>) StrictJson.parse(run.out()) : Map.of();
        Map<String, Object> target = (Map<String, Object>) report.get("target");
        if (target != null) {
            leftovers.domain(new RegisteredDomain(URI, name, (String) target.get("uuid")));
        }
        assertEquals(0, run.exit(), run.err() + run.out());
        assertEquals(before, DebianGuestsBootIT.hashes(dir), "source images changed");
        Map<String, Object> bootCheck = (Map<String, Object>) report.get("bootCheck");
        assertEquals(true, bootCheck.get("booted"), "boot check: " + bootCheck);
        RegisteredDomain dom = leftovers.domains().get(leftovers.domains().size() - 1);
        SerialConsole console = SerialConsole.open(dom, out.resolve(guest + "-login.log"));
        try {
            console.send("\r");
            console.waitFor(Pattern.compile("login: $", Pattern.MULTILINE), Duration.ofSeconds(60));
            console.send("root\r");
            console.waitFor(Pattern.compile("Password: $", Pattern.MULTILINE), Duration.ofSeconds(60));
            console.send(PASSWORD + "\r");
            console.waitFor(PROMPT, Duration.ofSeconds(60));
            return new LoggedIn(guest, console);
        } catch (RuntimeException | Error e) {
            console.close();
            throw e;
        }
    }

    /** A root shell on a converted guest's serial console. */
    private record LoggedIn(String guest, SerialConsole console) implements AutoCloseable {
        /**
         * The checks every scenario makes once boot has settled: the kernel, the root and swap
         * devices, the static address, and no failed unit.
         */
        void assertBasics(String release, String rootDev, String swapDev, String address) {
            run("systemctl is-system-running --wait >/dev/null 2>&1; echo settled");
            String uname = run("uname -r").strip();
            assertEquals(release, uname, guest + ": running kernel");
            String root = run("findmnt -n -o SOURCE,OPTIONS /");
            assertTrue(root.startsWith(rootDev + " rw"), guest + ": root filesystem: " + root);
            String swap = run("swapon --show=NAME --noheadings");
            assertTrue(swap.contains(swapDev), guest + ": swap: " + swap);
            String ip = run("ip -br addr show eth0");
            assertTrue(ip.contains(address) && ip.contains("UP"), guest + ": eth0: " + ip);
            String failed = run("systemctl --failed --no-legend --plain | cat");
            assertEquals("", failed.strip(), guest + ": failed units: " + failed);
            System.out.printf("%s: %s | root %s | swap %s | %s%n", guest, uname, root.strip(), swap.strip(),
                    ip.strip());
        }

        /**
         * Runs a one-line shell command and returns what it printed.
         *
         * @throws AssertionError if the transcript lacks the end marker or the echoed line:
         *     an empty string then would pass checks such as "no failed units" unchecked
         */
        String run(String command) {
            String marker = "X2K" + Long.toHexString(System.nanoTime());
            // Quoted apart, so the echo of the typed line never contains the marker itself.
            console.send(command + "; echo \"" + marker + "\"\"-END\"\r");
            String text = ANSI.matcher(console.waitFor(Pattern.compile(marker + "-END\\r?\\n[^\\n]*# $"),
                    COMMAND_TIMEOUT)).replaceAll("").replace("\r", "");
            int end = text.lastIndexOf(marker + "-END\n");
            int start = text.indexOf('\n');
            if (start < 0 || end < start) {
                throw new AssertionError(guest + ": no output of '" + command + "' between the echoed command and "
                        + marker + "-END in the console transcript:\n" + text);
            }
            return text.substring(start + 1, end);
        }

        @Override
        public void close() {
            console.close();
        }
    }

    // ---------------------------------------------------------------- helpers ----

    private static LibvirtRegistrar connect() {
        try {
            return LibvirtRegistrar.connect(URI);
        } catch (RuntimeException e) {
            ExternalTool.requireThat(false, "libvirt daemon not reachable on " + URI
                    + " (start it with: virtlogd -d; libvirtd -d): " + e.getMessage());
            throw e;
        }
    }

    /** TCG, the guest's kernel booted directly, its disks as virtio disks vda, vdb, ... */
    private static String directBootXml(String name, String uuid, Path vmlinuz, Path initrd, String cmdline,
            List<Path> disks) {
        StringBuilder xml = new StringBuilder()
                .append("<domain type='qemu'>\n")
                .append("  <name>").append(name).append("</name>\n")
                .append("  <uuid>").append(uuid).append("</uuid>\n")
                .append("  <memory unit='MiB'>512</memory>\n")
                .append("  <vcpu>1</vcpu>\n")
                .append("  <os>\n")
                .append("    <type arch='x86_64' machine='pc'>hvm</type>\n")
                .append("    <kernel>").append(vmlinuz).append("</kernel>\n")
                .append("    <initrd>").append(initrd).append("</initrd>\n")
                .append("    <cmdline>").append(cmdline).append("</cmdline>\n")
                .append("  </os>\n")
                .append("  <features><acpi/></features>\n")
                .append("  <on_poweroff>destroy</on_poweroff>\n")
                .append("  <on_reboot>destroy</on_reboot>\n")
                .append("  <on_crash>destroy</on_crash>\n")
                .append("  <devices>\n");
        char letter = 'a';
        for (Path disk : disks) {
            xml.append("    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='")
                    .append(disk).append("'/><target dev='vd").append(letter++).append("' bus='virtio'/></disk>\n");
        }
        return xml.append("    <serial type='pty'><target port='0'/></serial>\n")
                .append("    <console type='pty'><target type='serial' port='0'/></console>\n")
                .append("    <memballoon model='none'/>\n")
                .append("  </devices>\n")
                .append("</domain>\n")
                .toString();
    }

    /** Copies a disk image leaving all-zero MiBs as holes (the guest images are mostly empty). */
    private static Path sparseCopy(Path from, Path to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        byte[] zeros = new byte[buf.capacity()];
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long pos = 0;
            long size = in.size();
            while (pos < size) {
                buf.clear();
                int n = in.read(buf, pos);
                if (n <= 0) {
                    throw new IOException(from + ": short read at byte " + pos + " of " + size);
                }
                if (!Arrays.equals(buf.array(), 0, n, zeros, 0, n)) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        out.write(buf, pos + buf.position());
                    }
                }
                pos += n;
            }
            out.truncate(size);
            if (out.size() < size) {
                out.write(ByteBuffer.allocate(1), size - 1);
            }
        }
        return to;
    }

    private Path outputDir(String guest) throws IOException {
        return leftovers.outputDir("kguests-" + guest);
    }
}
