package org.xen2kvm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xen2kvm.testutil.StrictJson;
import org.xen2kvm.libvirt.RegisteredDomain;
import org.xen2kvm.libvirt.SerialConsole;

/**
 * End to end for issue 12: the LVM guests of {@code testdata/build-lvm-guests.sh}
 * ({@code XEN2KVM_LVM_GUESTS}) converted with the real CLI, registered with libvirtd (TCG),
 * booted and logged into on the serial console: {@code /} must be the LV through device-mapper,
 * swap the swap LV, eth0 up with its address and the Xen MAC.
 *
 * <p>{@code guest-rhel5lvm} carries an lvm.conf that accepts only {@code /dev/xvd*}, inside its
 * initramfs too: until the conversion rewrites that filter there, the initramfs finds no PV on
 * {@code /dev/vda2} and the boot stops before the login prompt. This test then fails, as it should.
 */
class LvmGuestsBootIT {
    private static final String URI = "qemu:///system";
    private static final String PASSWORD = "xen2kvm";
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(420);
    private static final Pattern PROMPT = Pattern.compile("root@[^:\\s]+:[^#\\n]*# $");

    private final Leftovers leftovers = new Leftovers(URI);
    static Path guests() {
        return Leftovers.guestsFrom("XEN2KVM_LVM_GUESTS", "testdata/build-lvm-guests.sh");
    }

    @AfterEach
    void cleanUp() throws IOException {
        leftovers.removeAll();
    }

    @Test
    void rhel5StyleGuestBootsWithRootOnVolGroup00() throws Exception {
        convertBootAndCheck("guest-rhel5lvm", "VolGroup00", "10.99.0.4/24", "00:16:3e:5a:0c:01");
    }

    @Test
    void guestWhoseVolumeGroupSpansTwoDisksBoots() throws Exception {
        convertBootAndCheck("guest-twodisk", "VolGroup01", "10.99.0.5/24", "00:16:3e:5a:0d:01");
    }

    private Path outputDir(String guest) throws IOException {
        return leftovers.outputDir(guest);
    }

    @SuppressWarnings("unchecked")
    private void convertBootAndCheck(String guest, String vg, String address, String mac) throws Exception {
        Path dir = guests().resolve(guest);
        Path cfg = dir.resolve(guest + ".cfg");
        Path out = outputDir(guest);
        Map<Path, String> before = DebianGuestsBootIT.hashes(dir);
        String name = "xen2kvm-e2e-" + guest;

        long t0 = System.nanoTime();
        DebianGuestsBootIT.Run register = DebianGuestsBootIT.cli("convert", cfg.toString(), "-o", out.toString(),
                "--name", name, "--domain-type", "qemu", "--json", "--connect", URI, "--replace", "--start",
                "--verify-boot=" + BOOT_TIMEOUT.toSeconds());
        Map<String, Object> reg = register.exit() == 0 ? (Map<String, Object>) StrictJson.parse(register.out()) : Map.of();
        if (register.exit() == 0) {
            Map<String, Object> target = (Map<String, Object>) reg.get("target");
            leftovers.domain(new RegisteredDomain(URI, name, (String) target.get("uuid")));
        } else {
            // A failed boot check rolls the registration back; nothing to undefine.
            System.out.printf("%s: conversion/boot failed (%.0f s):%n%s%n", guest, (System.nanoTime() - t0) / 1e9,
                    register.err());
        }
        assertEquals(0, register.exit(), guest + ": " + register.err() + register.out());
        assertEquals(true, ((Map<String, Object>) reg.get("bootCheck")).get("booted"));
        System.out.printf("%s: converted, registered and at the login prompt in %.1f s%n", guest,
                (System.nanoTime() - t0) / 1e9);

        try (SerialConsole console = SerialConsole.open(leftovers.domains().get(0), out.resolve(guest + "-login.log"))) {
            console.send("\r");
            console.waitFor(Pattern.compile("login: $", Pattern.MULTILINE), Duration.ofSeconds(60));
            console.send("root\r");
            console.waitFor(Pattern.compile("Password: $", Pattern.MULTILINE), Duration.ofSeconds(60));
            console.send(PASSWORD + "\r");
            console.waitFor(PROMPT, Duration.ofSeconds(60));
            DebianGuestsBootIT.run(console, "systemctl is-system-running --wait >/dev/null 2>&1; echo done");
            String root = DebianGuestsBootIT.run(console, "findmnt -n -o SOURCE,OPTIONS /");
            assertTrue(root.startsWith("/dev/mapper/" + vg + "-LogVol00 rw"), guest + ": root filesystem: " + root);
            // swapon names the dm node (/dev/dm-1); the swap LV's link must resolve to it.
            String swap = DebianGuestsBootIT.run(console,
                    "swapon --show=NAME --noheadings | xargs -r readlink -f; echo =; readlink -f /dev/" + vg + "/LogVol01");
            String[] parts = swap.strip().split("\n=\n|^=\n");
            assertTrue(parts.length == 2 && !parts[0].isBlank() && parts[0].strip().equals(parts[1].strip()),
                    guest + ": swap in use vs the swap LV: " + swap);
            String ip = DebianGuestsBootIT.run(console, "ip -br addr show eth0");
            assertTrue(ip.contains(address) && ip.contains("UP"), guest + ": eth0: " + ip);
            String link = DebianGuestsBootIT.run(console, "cat /sys/class/net/eth0/address");
            assertEquals(mac, link.strip(), guest + ": eth0 MAC");
            String failed = DebianGuestsBootIT.run(console, "systemctl --failed --no-legend --plain | cat");
            assertEquals("", failed.strip(), guest + ": failed units: " + failed);
            System.out.printf("%s: root %s | swap %s | %s%n", guest, root.strip(), parts[0].strip(), ip.strip());
        }
        assertEquals(before, DebianGuestsBootIT.hashes(dir), "source images changed");
    }
}
