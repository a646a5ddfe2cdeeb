package org.xen2kvm.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** Registration against libvirt's in-process test driver: no daemon, no hypervisor. */
class LibvirtRegistrarTest {
    private static final String URI = "test:///default";

    private LibvirtRegistrar registrar;
    private final List<RegisteredDomain> created = new ArrayList<>();

    @BeforeEach
    void connect() {
        registrar = LibvirtRegistrar.connect(URI);
    }

    @AfterEach
    void cleanUp() {
        for (RegisteredDomain d : created) {
            registrar.undefine(d);
        }
        registrar.close();
    }

    private RegisteredDomain defineNew() {
        String name = TestDomains.uniqueName();
        String uuid = TestDomains.uuid();
        RegisteredDomain d = registrar.define(TestDomains.testDriverXml(name, uuid), name, uuid, false);
        created.add(d);
        return d;
    }

    @Test
    void definesAnInactivePersistentDomain() {
        String name = TestDomains.uniqueName();
        String uuid = TestDomains.uuid();
        RegisteredDomain d = registrar.define(TestDomains.testDriverXml(name, uuid), name, uuid, false);
        created.add(d);
        assertEquals(new RegisteredDomain(URI, name, uuid), d);
        assertTrue(registrar.exists(d));
        assertFalse(registrar.isActive(d));
    }

    @Test
    void refusesAnExistingNameWithoutReplace() {
        RegisteredDomain old = defineNew();
        String uuid = TestDomains.uuid();
        DomainConflictException e = assertThrows(DomainConflictException.class,
                () -> registrar.define(TestDomains.testDriverXml(old.name(), uuid), old.name(), uuid, false));
        assertEquals(URI + ": domain '" + old.name() + "' (uuid " + old.uuid()
                + ") already exists with the same name; choose another name, or pass --replace to overwrite it",
                e.getMessage());
        assertTrue(registrar.exists(old));
    }

    @Test
    void refusesAnExistingUuidWithoutReplace() {
        RegisteredDomain old = defineNew();
        String name = TestDomains.uniqueName();
        DomainConflictException e = assertThrows(DomainConflictException.class,
                () -> registrar.define(TestDomains.testDriverXml(name, old.uuid()), name, old.uuid(), false));
        assertEquals(URI + ": domain '" + old.name() + "' (uuid " + old.uuid() + ") already exists with the same UUID "
                + old.uuid() + "; choose another name, or pass --replace to overwrite it", e.getMessage());
    }

    @Test
    void refusesTheDriversOwnDomainByName() {
        // The test driver starts with a running domain called "test".
        String uuid = TestDomains.uuid();
        DomainConflictException e = assertThrows(DomainConflictException.class,
                () -> registrar.define(TestDomains.testDriverXml("test", uuid), "test", uuid, false));
        assertTrue(e.getMessage().contains("domain 'test'") && e.getMessage().contains("--replace"), e.getMessage());
    }

    @Test
    void replaceRemovesAnInactiveDomainWithTheSameNameAndOtherUuid() {
        RegisteredDomain old = defineNew();
        String uuid = TestDomains.uuid();
        RegisteredDomain fresh = registrar.define(TestDomains.testDriverXml(old.name(), uuid), old.name(), uuid, true);
        created.add(fresh);
        assertEquals(uuid, fresh.uuid());
        assertFalse(registrar.exists(old), "the old UUID must be gone");
        assertTrue(registrar.exists(fresh));
    }

    @Test
    void replaceRemovesBothADomainWithTheNameAndAnotherWithTheUuid() {
        RegisteredDomain sameName = defineNew();
        RegisteredDomain sameUuid = defineNew();
        RegisteredDomain fresh = registrar.define(TestDomains.testDriverXml(sameName.name(), sameUuid.uuid()),
                sameName.name(), sameUuid.uuid(), true);
        created.add(fresh);
        assertFalse(registrar.exists(sameName));
        assertEquals(new RegisteredDomain(URI, sameName.name(), sameUuid.uuid()), fresh);
        assertTrue(registrar.exists(fresh));
    }

    @Test
    void replaceUpdatesTheSameDomainInPlace() {
        RegisteredDomain old = defineNew();
        RegisteredDomain again = registrar.define(TestDomains.testDriverXml(old.name(), old.uuid()).replace("65536",
                "131072"), old.name(), old.uuid(), true);
        assertEquals(old, again);
        assertTrue(registrar.exists(again));
    }

    @Test
    void replaceRefusesARunningDomain() {
        RegisteredDomain old = defineNew();
        registrar.start(old);
        String uuid = TestDomains.uuid();
        DomainConflictException e = assertThrows(DomainConflictException.class,
                () -> registrar.define(TestDomains.testDriverXml(old.name(), uuid), old.name(), uuid, true));
        assertEquals(URI + ": domain '" + old.name() + "' (uuid " + old.uuid()
                + ") has the same name and is running; shut it down (virsh shutdown " + old.name()
                + ") before replacing it with --replace", e.getMessage());
        assertTrue(registrar.isActive(old), "the running domain must be untouched");
    }

    @Test
    void replaceRefusesADomainWithASavedState() throws Exception {
        RegisteredDomain old = defineNew();
        registrar.start(old);
        // A managed save through a second connection: the registrar has no such operation.
        org.libvirt.Connect admin = new org.libvirt.Connect(URI, false);
        try {
            admin.domainLookupByUUIDString(old.uuid()).managedSave();
        } finally {
            admin.close();
        }
        assertFalse(registrar.isActive(old), "a managed save stops the guest");
        DomainConflictException e = assertThrows(DomainConflictException.class,
                () -> registrar.define(TestDomains.testDriverXml(old.name(), old.uuid()), old.name(), old.uuid(), true));
        assertEquals(URI + ": domain '" + old.name() + "' (uuid " + old.uuid() + ") has the same name and UUID and a"
                + " saved state; start it and shut it down, or discard the state (virsh managedsave-remove "
                + old.name() + "), before replacing it with --replace", e.getMessage());
    }

    @Test
    void refusesXmlWhoseNameDiffersFromTheRequestedOne() {
        String uuid = TestDomains.uuid();
        String name = TestDomains.uniqueName();
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class,
                () -> registrar.define(TestDomains.testDriverXml("other", uuid), name, uuid, false));
        assertEquals(URI + ": domain '" + name + "': the XML declares name 'other' and uuid " + uuid + " but '" + name
                + "' and uuid " + uuid + " were asked for; generate the XML from the same plan", e.getMessage());
    }

    @Test
    void refusesAMalformedUuid() {
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class,
                () -> registrar.define(TestDomains.testDriverXml("x", "1234"), "x", "1234", false));
        assertEquals("domain uuid '1234' is not of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx; pass a valid UUID",
                e.getMessage());
    }

    @Test
    void reportsLibvirtsRejectionOfTheXml() {
        String name = TestDomains.uniqueName();
        String uuid = TestDomains.uuid();
        String bad = TestDomains.testDriverXml(name, uuid).replace("<vcpu>1</vcpu>", "<vcpu>lots</vcpu>");
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class,
                () -> registrar.define(bad, name, uuid, false));
        assertTrue(e.getMessage().startsWith(URI + ": libvirt rejected the definition of domain '" + name + "': "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; nothing was changed"), e.getMessage());
    }

    @Test
    void startsStopsAndUndefines() {
        RegisteredDomain d = defineNew();
        registrar.start(d);
        assertTrue(registrar.isActive(d));
        registrar.destroy(d);
        assertFalse(registrar.isActive(d));
        assertTrue(registrar.exists(d), "destroy keeps the definition");
        registrar.start(d);
        registrar.undefine(d);
        assertFalse(registrar.exists(d), "undefine also stops a running domain");
    }

    @Test
    void startingARunningDomainFailsWithLibvirtsReason() {
        RegisteredDomain d = defineNew();
        registrar.start(d);
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class, () -> registrar.start(d));
        assertTrue(e.getMessage().startsWith(URI + ": cannot start domain '" + d.name() + "': "), e.getMessage());
    }

    @Test
    void verifyBootWithoutAConsoleFailsAndLeavesTheDomainStopped(@TempDir Path dir) {
        // The test driver has no consoles, so attaching fails after the start.
        RegisteredDomain d = defineNew();
        ConsoleException e = assertThrows(ConsoleException.class,
                () -> registrar.verifyBoot(d, Duration.ofSeconds(5), null, dir.resolve("console.log"), false));
        assertEquals(URI + ": domain '" + d.name() + "': cannot open the serial console: this function is not"
                + " supported by the connection driver: virDomainOpenConsole; the domain must be running and have"
                + " <console type='pty'>", e.getMessage());
        assertFalse(registrar.isActive(d));
        assertTrue(registrar.exists(d));
    }

    @Test
    void aRefusedUploadLeavesNoVolumeBehind(@TempDir Path dir) throws Exception {
        // The test driver has storage pools but cannot upload: the volume is created, then
        // the upload fails, and the volume must be deleted again.
        Path image = java.nio.file.Files.write(dir.resolve("disk.img"), new byte[4096]);
        String volume = TestDomains.uniqueName() + ".img";
        for (int attempt = 0; attempt < 2; attempt++) { // a leftover would make the 2nd say "already exists"
            LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class,
                    () -> registrar.uploadVolume("default-pool", volume, image, false));
            assertEquals(URI + ": uploading " + image + " to volume /default-pool/" + volume
                    + ": libvirt refused the upload: this function is not supported by the connection driver:"
                    + " virStorageVolUpload", e.getMessage());
        }
    }

    @Test
    void aMissingPoolIsNamed(@TempDir Path dir) throws Exception {
        Path image = java.nio.file.Files.write(dir.resolve("disk.img"), new byte[1]);
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class,
                () -> registrar.uploadVolume("no-such-pool", "d.img", image, false));
        assertEquals(URI + ": storage pool 'no-such-pool': Storage pool not found: no storage pool with matching name"
                + " 'no-such-pool'; list the pools with virsh pool-list --all", e.getMessage());
    }

    @Test
    void bogusUriFailsFastNamingTheUri() {
        String bogus = "test:///nonexistent-dir/no-such-driver-config.xml";
        LibvirtUnreachableException e = assertThrows(LibvirtUnreachableException.class,
                () -> LibvirtRegistrar.connect(bogus));
        assertTrue(e.getMessage().startsWith("cannot connect to libvirt at " + bogus + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; check the URI and that the libvirt daemon is running and lets you in"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }
}
