package org.xen2kvm.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** All-or-nothing registration, against libvirt's in-process test driver. */
class RegistrationTest {
    private static final String URI = "test:///default";

    private LibvirtRegistrar registrar;
    private final List<RegisteredDomain> seen = new ArrayList<>();

    @BeforeEach
    void connect() {
        registrar = LibvirtRegistrar.connect(URI);
    }

    @AfterEach
    void cleanUp() {
        for (RegisteredDomain d : seen) {
            registrar.undefine(d);
        }
        registrar.close();
    }

    private RegisteredDomain define(Registration tx) {
        String name = TestDomains.uniqueName();
        String uuid = TestDomains.uuid();
        RegisteredDomain d = tx.define(TestDomains.testDriverXml(name, uuid), name, uuid, false);
        seen.add(d);
        return d;
    }

    @Test
    void aFailingLaterStepStopsAndUndefinesTheNewDomain() {
        IllegalStateException forced = new IllegalStateException("forced failure after start");
        RegisteredDomain[] d = new RegisteredDomain[1];
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try (Registration tx = registrar.begin()) {
                d[0] = define(tx);
                tx.start(d[0]);
                assertTrue(registrar.isActive(d[0]));
                throw forced;
            }
        });
        assertSame(forced, thrown);
        assertEquals(0, thrown.getSuppressed().length, "the rollback itself succeeded");
        assertFalse(registrar.exists(d[0]));
    }

    @Test
    void aFailedBootCheckUndefinesTheNewDomain(@TempDir Path dir) {
        // The test driver has no console, so verifyBoot fails after define.
        RegisteredDomain[] d = new RegisteredDomain[1];
        assertThrows(ConsoleException.class, () -> {
            try (Registration tx = registrar.begin()) {
                d[0] = define(tx);
                tx.verifyBoot(d[0], Duration.ofSeconds(5), null, dir.resolve("console.log"), false);
                tx.commit();
            }
        });
        assertFalse(registrar.exists(d[0]));
    }

    @Test
    void commitKeepsEverything() {
        RegisteredDomain d;
        try (Registration tx = registrar.begin()) {
            d = define(tx);
            tx.start(d);
            tx.commit();
        }
        assertTrue(registrar.exists(d));
        assertTrue(registrar.isActive(d));
    }

    @Test
    void closingWithoutCommitRollsBack() {
        RegisteredDomain d;
        try (Registration tx = registrar.begin()) {
            d = define(tx);
        }
        assertFalse(registrar.exists(d));
    }

    @Test
    void undoStepsRunNewestFirstAndAFailingOneDoesNotStopTheOthers() {
        List<String> ran = new ArrayList<>();
        IllegalStateException forced = new IllegalStateException("forced");
        RegisteredDomain[] d = new RegisteredDomain[1];
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try (Registration tx = registrar.begin()) {
                d[0] = define(tx);
                tx.onRollback("delete volume a.qcow2", () -> ran.add("a"));
                tx.onRollback("delete volume b.qcow2", () -> {
                    throw new IllegalStateException("volume b.qcow2 is busy");
                });
                tx.onRollback("delete volume c.qcow2", () -> ran.add("c"));
                throw forced;
            }
        });
        assertEquals(List.of("c", "a"), ran);
        assertFalse(registrar.exists(d[0]), "the domain is removed despite the failing step");
        assertEquals(1, thrown.getSuppressed().length);
        assertEquals(URI + ": rolling back a failed registration: could not delete volume b.qcow2 (volume b.qcow2 is"
                + " busy); remove these by hand (virsh destroy/undefine/vol-delete)", thrown.getSuppressed()[0].getMessage());
    }

    @Test
    void aRefusedDefineLeavesNothingToRollBack() {
        RegisteredDomain existing;
        try (Registration tx = registrar.begin()) {
            existing = define(tx);
            tx.commit();
        }
        String uuid = TestDomains.uuid();
        assertThrows(DomainConflictException.class, () -> {
            try (Registration tx = registrar.begin()) {
                tx.define(TestDomains.testDriverXml(existing.name(), uuid), existing.name(), uuid, false);
            }
        });
        assertTrue(registrar.exists(existing), "a refused define must not remove the existing domain");
    }
}
