package org.xen2kvm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xen2kvm.cli.Xen2KvmCommand;
import org.xen2kvm.testutil.StrictJson;
import org.xen2kvm.libvirt.RegisteredDomain;
import org.xen2kvm.libvirt.SerialConsole;
import picocli.CommandLine;

/**
 * End to end: the two Debian Xen PV guests built by {@code testdata/build-guests.sh}
 * ({@code XEN2KVM_GUESTS}) are converted with the real CLI, registered with a real libvirtd
 * ({@code qemu:///system}, TCG), booted, and logged into on the serial console, which
 * checks the root filesystem, swap, the static address on eth0 and that no unit failed.
 * The sources must be byte-identical afterwards.
 */
class DebianGuestsBootIT {
    private static final String URI = "qemu:///system";
    private static final String PASSWORD = "xen2kvm";
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(420);
    private static final Pattern PROMPT = Pattern.compile("root@[^:\\s]+:[^#\\n]*# $");

    /** Terminal control sequences (bash's bracketed-paste switch, colours). */
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]");

    private final Leftovers leftovers = new Leftovers(URI);

    static Path guests() {
        return Leftovers.guestsFrom("XEN2KVM_GUESTS", "testdata/build-guests.sh");
    }

    @AfterEach
    void cleanUp() throws IOException {
        leftovers.removeAll();
    }

    @Test
    void xenToolsGuestWithPartitionDisksBootsAndLogsIn() throws Exception {
        convertBootAndCheck("guest-a", outputDir("guest-a"), "10.99.0.2/24", "/dev/vda", "/dev/vdb");
    }

    @Test
    void pygrubGuestBootsItsOwnGrubAndLogsIn() throws Exception {
        convertBootAndCheck("guest-b", outputDir("guest-b"), "10.99.0.3/24", "/dev/vda1", "/dev/vdb");
    }

    private Path outputDir(String guest) throws IOException {
        return leftovers.outputDir(guest);
    }

    @SuppressWarnings("unchecked")
    private void convertBootAndCheck(String guest, Path out, String address, String rootDev, String swapDev)
            throws Exception {
        Path dir = guests().resolve(guest);
        Path cfg = dir.resolve(guest + ".cfg");
        Map<Path, String> before = hashes(dir);
        String name = "xen2kvm-e2e-" + guest;

        // 1. Conversion alone (no daemon), timed.
        long t0 = System.nanoTime();
        Run convert = cli("convert", cfg.toString(), "-o", out.toString(), "--name", name, "--domain-type", "qemu",
                "--json");
        double convertSeconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, convert.exit, convert.err);
        Map<String, Object> report = (Map<String, Object>) StrictJson.parse(convert.out);
        System.out.printf("%s: conversion took %.1f s (stages %s)%n", guest, convertSeconds, report.get("seconds"));
        assertEquals(before, hashes(dir), "source images changed");

        // 2. The same again with registration, boot verification, and left running.
        long t1 = System.nanoTime();
        Run register = cli("convert", cfg.toString(), "-o", out.toString(), "--name", name, "--domain-type", "qemu",
                "--force", "--json", "--connect", URI, "--replace", "--start",
                "--verify-boot=" + BOOT_TIMEOUT.toSeconds());
        Map<String, Object> reg = register.exit == 0 ? (Map<String, Object>) StrictJson.parse(register.out) : Map.of();
        Map<String, Object> target = (Map<String, Object>) report.get("target");
        RegisteredDomain dom = new RegisteredDomain(URI, name, (String) target.get("uuid"));
        leftovers.domain(dom);
        assertEquals(0, register.exit, register.err + register.out);
        Map<String, Object> bootCheck = (Map<String, Object>) reg.get("bootCheck");
        assertEquals(true, bootCheck.get("booted"));
        System.out.printf("%s: registered and booted to the login prompt in %s s (whole run %.1f s)%n", guest,
                bootCheck.get("secondsToLogin"), (System.nanoTime() - t1) / 1e9);

        // 3. Log in on the serial console and look around.
        try (SerialConsole console = SerialConsole.open(dom, out.resolve(guest + "-login.log"))) {
            console.send("\r");
            console.waitFor(Pattern.compile("login: $", Pattern.MULTILINE), Duration.ofSeconds(60));
            console.send("root\r");
            console.waitFor(Pattern.compile("Password: $", Pattern.MULTILINE), Duration.ofSeconds(60));
            console.send(PASSWORD + "\r");
            console.waitFor(PROMPT, Duration.ofSeconds(60));
            // Let boot finish before judging units.
            run(console, "systemctl is-system-running --wait >/dev/null 2>&1; echo done");
            String root = run(console, "findmnt -n -o SOURCE,OPTIONS /");
            assertTrue(root.startsWith(rootDev + " rw"), "root filesystem: " + root);
            String swap = run(console, "swapon --show=NAME --noheadings");
            assertTrue(swap.contains(swapDev), "swap: " + swap);
            String ip = run(console, "ip -br addr show eth0");
            assertTrue(ip.contains(address) && ip.contains("UP"), "eth0: " + ip);
            String failed = run(console, "systemctl --failed --no-legend --plain | cat");
            assertEquals("", failed.strip(), "failed units: " + failed);
            String hvc = run(console, "systemctl list-units --all --no-legend --plain '*hvc0*' | cat");
            assertTrue(!hvc.contains("activating") && !hvc.contains("failed"), "hvc0 units: " + hvc);
            System.out.printf("%s: root %s | swap %s | %s%n", guest, root.strip(), swap.strip(), ip.strip());
        }
        assertEquals(before, hashes(dir), "source images changed");
    }

    /**
     * Runs a shell command on the console and returns its output without the echo and prompt.
     *
     * @throws AssertionError if the transcript lacks the echoed line or the end marker: an
     *     empty string then would make checks such as "no failed units" pass unchecked
     */
    static String run(SerialConsole console, String command) {
        String marker = "X2K" + Long.toHexString(System.nanoTime());
        // Quoted apart, so the echo of the typed line never contains the marker itself.
        console.send(command + "; echo \"" + marker + "\"\"-END\"\r");
        String text = ANSI.matcher(console.waitFor(Pattern.compile(marker + "-END\\r?\\n[^\\n]*# $"),
                Duration.ofSeconds(180))).replaceAll("").replace("\r", "");
        int end = text.lastIndexOf(marker + "-END\n");
        int start = text.indexOf('\n');
        if (start < 0 || end < start) {
            throw new AssertionError("no output of '" + command + "' between the echoed command and " + marker
                    + "-END in the console transcript:\n" + text);
        }
        return text.substring(start + 1, end);
    }

    record Run(int exit, String out, String err) {
    }

    static Run cli(String... args) {
        CommandLine cl = Xen2KvmCommand.newCommandLine();
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        int code = cl.execute(args);
        return new Run(code, o.toString(), e.toString());
    }

    static Map<Path, String> hashes(Path dir) throws Exception {
        Map<Path, String> m = new LinkedHashMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".img")).sorted().toList()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                try (InputStream in = Files.newInputStream(p)) {
                    byte[] buf = new byte[1 << 20];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        md.update(buf, 0, n);
                    }
                }
                m.put(p.getFileName(), HexFormat.of().formatHex(md.digest()));
            }
        }
        return m;
    }
}
