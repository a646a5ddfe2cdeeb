package org.xen2kvm.libvirt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * One connection to libvirt that defines, starts, boot-checks and removes converted guests.
 *
 * <p>Every failure is a {@link LibvirtRegistrationException} (or subclass) whose one-line
 * message names the URI, the domain and libvirt's own message. Not thread-safe.
 */
public final class LibvirtRegistrar implements AutoCloseable {
    /** What a getty prints when it is ready; agetty's prompt is "HOSTNAME login: ". */
    public static final Pattern DEFAULT_LOGIN_PROMPT = Pattern.compile("login:");

    /** virDomainXMLFlags VIR_DOMAIN_XML_INACTIVE (libvirt-domain.h): the persistent config. */
    private static final int XML_INACTIVE = 2;
    /** virDomainCreateFlags VIR_DOMAIN_START_PAUSED: start with CPUs stopped, so the console misses nothing. */
    private static final int START_PAUSED = 1;
    /** virDomainUndefineFlagsValues VIR_DOMAIN_UNDEFINE_NVRAM: also delete a UEFI guest's varstore (not in libvirt-java 0.5.2). */
    private static final int UNDEFINE_NVRAM = 4;

    /** A volume name becomes a file name in directory pools: keep it plain and safe. */
    private static final Pattern VOLUME_NAME = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]*");

    private final String uri;
    private final Connect connect;

    private LibvirtRegistrar(String uri, Connect connect) {
        this.uri = uri;
        this.connect = connect;
    }

    /**
     * Opens a read-write connection.
     *
     * @throws LibvirtUnreachableException when libvirt cannot be reached at {@code uri}
     */
    public static LibvirtRegistrar connect(String uri) {
        Objects.requireNonNull(uri, "uri");
        try {
            QuietErrors.install();
            return new LibvirtRegistrar(uri, new Connect(uri, false));
        } catch (LibvirtException e) {
            throw new LibvirtUnreachableException("cannot connect to libvirt at " + uri + ": "
                    + LibvirtErrors.message(e)
                    + "; check the URI and that the libvirt daemon is running and lets you in", e);
        } catch (UnsatisfiedLinkError e) {
            throw new LibvirtUnreachableException("cannot connect to libvirt at " + uri
                    + ": the libvirt client library is not installed (" + e.getMessage()
                    + "); install libvirt0 (Debian) or libvirt-libs (Fedora)", new RuntimeException(e));
        }
    }

    public String uri() {
        return uri;
    }

    /**
     * Defines (persistently, without starting) the domain described by {@code domainXml},
     * whose {@code <name>} and {@code <uuid>} must be {@code name} and {@code uuid}.
     *
     * <p>An existing domain with the same name or the same UUID is refused unless
     * {@code replace}. With {@code replace}, running domains and domains with a managed
     * save (suspended to disk) are still refused; every
     * check is made before anything is removed, and if libvirt then rejects the new
     * definition the replaced ones are defined again from their saved XML.
     *
     * @throws DomainConflictException      on a conflict as described
     * @throws LibvirtRegistrationException when the XML disagrees with name/uuid or libvirt
     *                                      rejects it
     */
    public RegisteredDomain define(String domainXml, String name, String uuid, boolean replace) {
        Objects.requireNonNull(domainXml, "domainXml");
        Objects.requireNonNull(name, "name");
        String wantedUuid = DomainIdentity.normalizeUuid(uuid);
        DomainIdentity declared = DomainIdentity.of(domainXml);
        if (!declared.name().equals(name) || !declared.uuid().equals(wantedUuid)) {
            throw new LibvirtRegistrationException(uri + ": domain '" + name + "': the XML declares name '"
                    + declared.name() + "' and uuid " + declared.uuid() + " but '" + name + "' and uuid "
                    + wantedUuid + " were asked for; generate the XML from the same plan");
        }
        List<Existing> existing = findConflicts(name, wantedUuid);
        checkReplaceable(existing, name, wantedUuid, replace);

        // A domain with this very name and UUID is updated in place by libvirt (atomically);
        // any other conflict has to go first, or libvirt refuses the new definition.
        Map<String, String> removed = new LinkedHashMap<>();
        for (Existing old : existing) {
            if (!(old.name().equals(name) && old.uuid().equals(wantedUuid))) {
                removed.put(old.name(), old.inactiveXml());
                undefine(old.domain(), old.name());
            }
        }
        try {
            Domain domain = connect.domainDefineXML(domainXml);
            return new RegisteredDomain(uri, domain.getName(), domain.getUUIDString().toLowerCase(Locale.ROOT));
        } catch (LibvirtException e) {
            throw new LibvirtRegistrationException(uri + ": libvirt rejected the definition of domain '" + name
                    + "': " + LibvirtErrors.message(e) + restoreReplaced(removed), e);
        }
    }

    /**
     * True when the only domain with this name or UUID has both, is shut off without saved
     * state, and its definition names {@code path}: a domain an unfinished earlier conversion
     * into the same files defined, which its re-run may replace without {@code --replace}.
     */
    public boolean isLeftoverOf(String name, String uuid, String path) {
        List<Existing> existing = findConflicts(name, DomainIdentity.normalizeUuid(uuid));
        return existing.size() == 1 && existing.get(0).name().equals(name)
                && existing.get(0).uuid().equals(DomainIdentity.normalizeUuid(uuid))
                && !existing.get(0).active() && !existing.get(0).saved()
                && existing.get(0).inactiveXml().contains(path);
    }

    /**
     * Starts a defined domain.
     *
     * @throws LibvirtRegistrationException when it is gone, already running, or QEMU fails
     */
    public void start(RegisteredDomain registered) {
        Domain domain = lookup(registered);
        try {
            domain.create();
        } catch (LibvirtException e) {
            throw new LibvirtRegistrationException(uri + ": cannot start domain '" + registered.name() + "': "
                    + LibvirtErrors.message(e) + "; fix the domain XML or the host (see the hypervisor's log)", e);
        }
    }

    /** True when the domain exists and is running (or paused). */
    public boolean isActive(RegisteredDomain registered) {
        Domain domain = find(registered.uuid());
        try {
            return domain != null && domain.isActive() == 1;
        } catch (LibvirtException e) {
            throw failure("cannot query the state of domain '" + registered.name() + "'", e);
        }
    }

    /** True when a domain with this UUID exists (defined or transient). */
    public boolean exists(RegisteredDomain registered) {
        return find(registered.uuid()) != null;
    }

    /** Powers the domain off at once (like pulling the plug); does nothing when it is not running. */
    public void destroy(RegisteredDomain registered) {
        Domain domain = find(registered.uuid());
        if (domain == null) {
            return;
        }
        try {
            if (domain.isActive() == 1) {
                domain.destroy();
            }
        } catch (LibvirtException e) {
            if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_OPERATION_INVALID)) { // it stopped by itself meanwhile
                throw failure("cannot stop domain '" + registered.name() + "'", e);
            }
        }
    }

    /** Destroys the domain if it runs, then removes its definition; does nothing when it is gone. */
    public void undefine(RegisteredDomain registered) {
        destroy(registered);
        Domain domain = find(registered.uuid());
        if (domain != null) {
            undefine(domain, registered.name());
        }
    }

    /**
     * Starts the domain with its CPUs paused, attaches to its serial console, lets it run
     * and waits for {@code loginPrompt}. Everything the console prints goes to
     * {@code consoleLog} (appended). The domain is destroyed afterwards unless
     * {@code keepRunning} and it booted; on timeout or power-off it is always destroyed.
     *
     * @param loginPrompt null means {@link #DEFAULT_LOGIN_PROMPT}
     * @throws LibvirtRegistrationException when the domain cannot be started or its console
     *                                      cannot be opened (it is destroyed again first)
     */
    public BootReport verifyBoot(RegisteredDomain registered, Duration timeout, Pattern loginPrompt,
            Path consoleLog, boolean keepRunning) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(consoleLog, "consoleLog");
        Pattern prompt = loginPrompt == null ? DEFAULT_LOGIN_PROMPT : loginPrompt;
        Domain domain = lookup(registered);
        if (isActive(registered)) {
            throw new LibvirtRegistrationException(uri + ": domain '" + registered.name()
                    + "' is already running; a boot check must watch it from power-on, so shut it down first");
        }
        try {
            startPaused(domain);
        } catch (LibvirtException e) {
            throw new LibvirtRegistrationException(uri + ": cannot start domain '" + registered.name() + "': "
                    + LibvirtErrors.message(e) + "; fix the domain XML or the host (see the hypervisor's log)", e);
        }
        boolean booted = false;
        try (SerialConsole console = SerialConsole.open(registered, consoleLog)) {
            try {
                if (domain.getInfo().state == DomainInfo.DomainState.VIR_DOMAIN_PAUSED) {
                    domain.resume();
                }
            } catch (LibvirtException e) {
                throw failure("cannot resume domain '" + registered.name() + "' after attaching its console", e);
            }
            Instant resumed = Instant.now();
            booted = console.awaitMatch(prompt, timeout) != null;
            Duration elapsed = Duration.between(resumed, Instant.now());
            return new BootReport(booted, elapsed, consoleLog, console.lastLines(SerialConsole.QUOTED_LINES));
        } finally {
            if (!(booted && keepRunning)) {
                destroy(registered);
            }
        }
    }

    private static void startPaused(Domain domain) throws LibvirtException {
        try {
            domain.create(START_PAUSED);
        } catch (LibvirtException e) {
            if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_INVALID_ARG)) {
                throw e;
            }
            // A driver without paused start (the test driver): start normally; the console
            // may then miss the first output, never the prompt we wait for.
            domain.create();
        }
    }

    /**
     * Creates volume {@code volumeName} in storage pool {@code poolName}, sized to
     * {@code image}, and streams the image into it byte for byte (the pool may be on a
     * remote host). If the upload fails, the new volume is deleted again.
     *
     * <p>An existing volume of that name is refused unless {@code replace}; with
     * {@code replace} it is deleted first, whether or not a domain still uses it.
     *
     * @throws LibvirtRegistrationException when the pool is missing or inactive, the name
     *                                      is taken or not a plain file name, or libvirt fails
     * @throws java.io.UncheckedIOException when {@code image} cannot be read
     */
    public UploadedVolume uploadVolume(String poolName, String volumeName, Path image, boolean replace) {
        if (!VOLUME_NAME.matcher(volumeName).matches()) {
            throw new LibvirtRegistrationException(uri + ": volume name '" + volumeName
                    + "' is not a plain file name (letters, digits, '.', '_', '+', '-'; not starting with '.'); rename it");
        }
        long size;
        try {
            size = Files.size(image);
        } catch (IOException e) {
            throw new UncheckedIOException(image + ": cannot read the disk image to upload: " + e.getMessage(), e);
        }
        StoragePool pool = findPool(poolName);
        StorageVol created;
        try {
            StorageVol old = findVolume(pool, volumeName);
            if (old != null) {
                if (!replace) {
                    throw new LibvirtRegistrationException(uri + ": volume '" + volumeName + "' already exists in pool '"
                            + poolName + "' (" + old.getPath() + "); choose another name, or pass --replace to overwrite it");
                }
                old.delete(0);
            }
            created = pool.storageVolCreateXML("<volume><name>" + volumeName + "</name>"
                    + "<capacity unit='bytes'>" + size + "</capacity>"
                    + "<allocation unit='bytes'>0</allocation></volume>", 0);
        } catch (LibvirtException e) {
            throw failure("cannot create volume '" + volumeName + "' in pool '" + poolName + "'", e);
        }
        UploadedVolume volume;
        try {
            volume = new UploadedVolume(uri, poolName, volumeName, created.getKey(), created.getPath());
        } catch (LibvirtException e) {
            deleteQuietly(created);
            throw failure("cannot read back the new volume '" + volumeName + "'", e);
        }
        try {
            VolumeUpload.upload(uri, volume.key(), image);
        } catch (RuntimeException e) {
            deleteQuietly(created);
            throw e;
        }
        return volume;
    }

    /** Deletes the volume; does nothing when it is already gone. */
    public void deleteVolume(UploadedVolume volume) {
        StorageVol vol = findVolumeByKey(volume.key());
        if (vol == null) {
            return;
        }
        try {
            vol.delete(0);
        } catch (LibvirtException e) {
            throw failure("cannot delete volume '" + volume.name() + "' (" + volume.path() + ")", e);
        }
    }

    /** True when the volume still exists. */
    public boolean volumeExists(UploadedVolume volume) {
        return findVolumeByKey(volume.key()) != null;
    }

    private StoragePool findPool(String poolName) {
        try {
            StoragePool pool = connect.storagePoolLookupByName(poolName);
            if (pool.isActive() != 1) {
                throw new LibvirtRegistrationException(uri + ": storage pool '" + poolName
                        + "' is not active; start it (virsh pool-start " + poolName + ")");
            }
            return pool;
        } catch (LibvirtException e) {
            throw new LibvirtRegistrationException(uri + ": storage pool '" + poolName + "': " + LibvirtErrors.message(e)
                    + "; list the pools with virsh pool-list --all", e);
        }
    }

    private static StorageVol findVolume(StoragePool pool, String name) throws LibvirtException {
        try {
            return pool.storageVolLookupByName(name);
        } catch (LibvirtException e) {
            if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_STORAGE_VOL)) {
                return null;
            }
            throw e;
        }
    }

    private StorageVol findVolumeByKey(String key) {
        try {
            return connect.storageVolLookupByKey(key);
        } catch (LibvirtException e) {
            if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_STORAGE_VOL)) {
                return null;
            }
            throw failure("cannot look up volume " + key, e);
        }
    }

    private static void deleteQuietly(StorageVol vol) {
        try {
            vol.delete(0);
        } catch (LibvirtException e) {
            // Cleanup after a failure that is already being reported; the report matters more.
        }
    }

    /** Starts a transaction that removes what it created unless committed. */
    public Registration begin() {
        return new Registration(this);
    }

    @Override
    public void close() {
        try {
            connect.close();
        } catch (LibvirtException e) {
            throw failure("cannot close the connection", e);
        }
    }

    private record Existing(Domain domain, String name, String uuid, boolean active, boolean saved,
            String inactiveXml) {
    }

    private List<Existing> findConflicts(String name, String uuid) {
        List<Existing> found = new ArrayList<>();
        Domain byName = findByName(name);
        Domain byUuid = find(uuid);
        try {
            for (Domain d : new Domain[] {byName, byUuid}) {
                if (d == null) {
                    continue;
                }
                String dUuid = d.getUUIDString().toLowerCase(Locale.ROOT);
                if (found.stream().anyMatch(e -> e.uuid().equals(dUuid))) {
                    continue;
                }
                found.add(new Existing(d, d.getName(), dUuid, d.isActive() == 1, hasSavedState(d),
                        d.getXMLDesc(XML_INACTIVE)));
            }
        } catch (LibvirtException e) {
            throw failure("cannot inspect the existing domain '" + name + "'", e);
        }
        return found;
    }

    private void checkReplaceable(List<Existing> existing, String name, String uuid, boolean replace) {
        for (Existing old : existing) {
            String same = old.name().equals(name)
                    ? (old.uuid().equals(uuid) ? "the same name and UUID" : "the same name")
                    : "the same UUID " + uuid;
            if (!replace) {
                throw new DomainConflictException(uri + ": domain '" + old.name() + "' (uuid " + old.uuid()
                        + ") already exists with " + same + "; choose another name, or pass --replace to overwrite it");
            }
            if (old.active()) {
                throw new DomainConflictException(uri + ": domain '" + old.name() + "' (uuid " + old.uuid()
                        + ") has " + same + " and is running; shut it down (virsh shutdown " + old.name()
                        + ") before replacing it with --replace");
            }
            if (old.saved()) {
                // A managed save is a suspended guest whose memory lives on disk: replacing the
                // definition would throw that state away.
                throw new DomainConflictException(uri + ": domain '" + old.name() + "' (uuid " + old.uuid()
                        + ") has " + same + " and a saved state; start it and shut it down, or discard the state"
                        + " (virsh managedsave-remove " + old.name() + "), before replacing it with --replace");
            }
        }
    }

    private static boolean hasSavedState(Domain domain) throws LibvirtException {
        try {
            return domain.hasManagedSaveImage() == 1;
        } catch (LibvirtException e) {
            if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_SUPPORT)) {
                return false; // a driver without managed save has no saved state either
            }
            throw e;
        }
    }

    /** Best effort: put back what {@code define} removed, and say how that went. */
    private String restoreReplaced(Map<String, String> removed) {
        if (removed.isEmpty()) {
            return "; nothing was changed";
        }
        List<String> lost = new ArrayList<>();
        for (Map.Entry<String, String> old : removed.entrySet()) {
            try {
                connect.domainDefineXML(old.getValue());
            } catch (LibvirtException e) {
                lost.add(old.getKey() + " (" + LibvirtErrors.message(e) + ")");
            }
        }
        return lost.isEmpty()
                ? "; the replaced domain " + String.join(", ", removed.keySet()) + " was defined again unchanged"
                : "; the replaced domain " + String.join(", ", lost) + " could not be defined again";
    }

    private void undefine(Domain domain, String name) {
        // Removing a domain also removes its UEFI varstore and saved state. Drivers without
        // UEFI (or without managed save) reject those flags: then there is nothing to remove.
        int[] attempts = {UNDEFINE_NVRAM | Domain.UndefineFlags.MANAGED_SAVE, Domain.UndefineFlags.MANAGED_SAVE, 0};
        for (int i = 0; ; i++) {
            try {
                domain.undefine(attempts[i]);
                return;
            } catch (LibvirtException e) {
                boolean flagRejected = LibvirtErrors.is(e, ErrorNumber.VIR_ERR_INVALID_ARG)
                        || LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_SUPPORT);
                if (!flagRejected || i == attempts.length - 1) {
                    throw failure("cannot undefine domain '" + name + "'", e);
                }
            }
        }
    }

    private Domain lookup(RegisteredDomain registered) {
        Domain domain = find(registered.uuid());
        if (domain == null) {
            throw new LibvirtRegistrationException(uri + ": domain '" + registered.name() + "' (uuid "
                    + registered.uuid() + ") no longer exists; define it again");
        }
        return domain;
    }

    /** The domain with this UUID, or null. */
    private Domain find(String uuid) {
        try {
            return connect.domainLookupByUUIDString(uuid);
        } catch (LibvirtException e) {
            if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) {
                return null;
            }
            throw failure("cannot look up domain uuid " + uuid, e);
        }
    }

    private Domain findByName(String name) {
        try {
            return connect.domainLookupByName(name);
        } catch (LibvirtException e) {
            if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) {
                return null;
            }
            throw failure("cannot look up domain '" + name + "'", e);
        }
    }

    private LibvirtRegistrationException failure(String what, LibvirtException e) {
        return new LibvirtRegistrationException(uri + ": " + what + ": " + LibvirtErrors.message(e), e);
    }
}
