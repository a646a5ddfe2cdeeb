package org.xen2kvm.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real boots on qemu:///system under TCG: a Debian kernel with a busybox /init that acts
 * like a getty on ttyS0. Takes seconds per boot on an idle host.
 */
class LibvirtBootIT {
    /** Generous: TCG on a loaded 2-core CI runner is slow. */
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);

    @TempDir
    Path dir;
    private LibvirtRegistrar registrar;
    private QemuTestEnvironment.Kernel kernel;
    private Path initrd;
    private final List<RegisteredDomain> created = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        registrar = QemuTestEnvironment.connect();
        kernel = QemuTestEnvironment.kernel();
        // QEMU runs as an unprivileged user: it must be able to reach the initrd.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        initrd = dir.resolve("initrd.cpio");
        TinyInitramfs.write(kernel.busybox(), initrd);
    }

    @AfterEach
    void tearDown() {
        if (registrar == null) {
            return;
        }
        try {
            for (RegisteredDomain d : created) {
                registrar.undefine(d);
            }
        } finally {
            registrar.close();
        }
    }

    private RegisteredDomain defineNew() {
        String name = TestDomains.uniqueName();
        String uuid = TestDomains.uuid();
        RegisteredDomain d = registrar.define(
                QemuTestEnvironment.directBootXml(name, uuid, kernel.vmlinuz(), initrd), name, uuid, false);
        created.add(d);
        return d;
    }

    @Test
    void bootsToTheLoginPromptRecordsTheConsoleAndDestroysTheDomain() throws Exception {
        RegisteredDomain d = defineNew();
        Path log = dir.resolve("console.log");

        BootReport report = registrar.verifyBoot(d, BOOT_TIMEOUT, null, log, false);

        System.out.println("[boot] " + d.name() + " reached the login prompt in " + report.timeToPrompt().toMillis()
                + " ms (TCG)");
        assertTrue(report.booted(), report.lastConsoleLines());
        assertTrue(report.timeToPrompt().compareTo(BOOT_TIMEOUT) < 0);
        assertEquals(log, report.consoleLog());
        assertTrue(report.lastConsoleLines().endsWith(TinyInitramfs.PROMPT.strip()), report.lastConsoleLines());
        String logged = Files.readString(log, StandardCharsets.UTF_8);
        // Paused start: the log has the kernel's first message, not only what came after attaching.
        assertTrue(logged.contains("Linux version"), logged);
        assertTrue(logged.contains(TinyInitramfs.BANNER), logged);
        assertTrue(logged.contains(TinyInitramfs.PROMPT), logged);
        assertFalse(registrar.isActive(d), "destroyed after the check");

        registrar.undefine(d);
        assertFalse(registrar.exists(d));
    }

    @Test
    void keepsTheDomainRunningAndTalksOnTheSerialConsole() throws Exception {
        RegisteredDomain d = defineNew();
        Path log = dir.resolve("console.log");
        BootReport report = registrar.verifyBoot(d, BOOT_TIMEOUT, Pattern.compile("guest login: "), log, true);
        assertTrue(report.booted(), report.lastConsoleLines());
        assertTrue(registrar.isActive(d), "keepRunning leaves it running");

        try (SerialConsole console = SerialConsole.open(d, log)) {
            console.send("hello from xen2kvm\n");
            String reply = console.waitFor(Pattern.compile("echo:hello from xen2kvm\r?\n"), Duration.ofSeconds(60));
            assertTrue(reply.contains("hello from xen2kvm"), reply);
            console.waitFor(Pattern.compile(Pattern.quote(TinyInitramfs.PROMPT)), Duration.ofSeconds(60));

            console.send("root\n");
            // Not "# $": busybox's line editor follows its prompt with a cursor-position query.
            console.waitFor(Pattern.compile("\n# "), Duration.ofSeconds(60));
            assertEquals(new CommandResult("one\ntwo\n", 3),
                    console.run("echo one; echo two >&2; (exit 3)", Duration.ofSeconds(60)));
            assertEquals(new CommandResult("Linux\n", 0), console.run("uname -s", Duration.ofSeconds(60)));
            console.send("exit\n");
            console.waitFor(Pattern.compile(Pattern.quote(TinyInitramfs.PROMPT)), Duration.ofSeconds(60));

            console.send("poweroff\n");
            ConsoleException end = assertThrows(ConsoleException.class,
                    () -> console.waitFor(Pattern.compile("never printed"), Duration.ofSeconds(120)));
            assertTrue(end.getMessage().contains("the console closed"), end.getMessage());
            assertTrue(console.hasEnded());
        }
        waitUntilInactive(d, Duration.ofSeconds(60));
        String logged = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(logged.contains("echo:hello from xen2kvm"), logged);
        assertTrue(logged.contains("echo:poweroff"), logged);
    }

    @Test
    void timeoutReportsNotBootedWithTheLastLinesAndDestroysTheDomain() {
        RegisteredDomain d = defineNew();
        Path log = dir.resolve("console.log");
        Instant start = Instant.now();
        BootReport report = registrar.verifyBoot(d, Duration.ofSeconds(3), Pattern.compile("this never appears"), log,
                true);
        assertFalse(report.booted());
        assertTrue(report.timeToPrompt().compareTo(Duration.ofSeconds(3)) >= 0);
        assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(60)) < 0, "no hang");
        assertNotNull(report.lastConsoleLines());
        assertFalse(registrar.isActive(d), "a failed boot is destroyed even with keepRunning");
    }

    @Test
    void aDomainThatCannotStartIsRemovedByTheRollback() {
        String name = TestDomains.uniqueName();
        String uuid = TestDomains.uuid();
        String xml = QemuTestEnvironment.directBootXml(name, uuid, dir.resolve("no-such-vmlinuz"), initrd);
        RegisteredDomain[] defined = new RegisteredDomain[1];
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class, () -> {
            try (Registration tx = registrar.begin()) {
                defined[0] = tx.define(xml, name, uuid, false);
                created.add(defined[0]);
                tx.start(defined[0]);
                tx.commit();
            }
        });
        assertTrue(e.getMessage().startsWith(QemuTestEnvironment.URI + ": cannot start domain '" + name + "': "),
                e.getMessage());
        assertTrue(e.getMessage().contains("no-such-vmlinuz"), e.getMessage());
        assertFalse(registrar.exists(defined[0]), "the rollback undefined it");
    }

    private void waitUntilInactive(RegisteredDomain d, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (registrar.isActive(d) && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertFalse(registrar.isActive(d), "the guest powered itself off");
    }
}
