package org.xen2kvm.libvirt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A registration that is all or nothing: whatever it created (a defined domain, a started
 * domain, any resource given to {@link #onRollback}) is removed again, newest first, when
 * it is closed without {@link #commit()} — typically because a later step threw.
 *
 * <pre>{@code
 * try (Registration tx = registrar.begin()) {
 *     RegisteredDomain d = tx.define(xml, name, uuid, replace);
 *     BootReport report = tx.verifyBoot(d, timeout, null, log, false);
 *     if (!report.booted()) throw ...;   // the domain is undefined again
 *     tx.commit();
 * }
 * }</pre>
 *
 * <p>A domain that {@code replace} removed cannot come back once the new one is defined;
 * that is why {@link LibvirtRegistrar#define} makes all its checks before removing it.
 */
public final class Registration implements AutoCloseable {
    private final LibvirtRegistrar registrar;
    private final Deque<Undo> undo = new ArrayDeque<>();
    private boolean committed;

    Registration(LibvirtRegistrar registrar) {
        this.registrar = registrar;
    }

    private record Undo(String what, Runnable action) {
    }

    /** {@link LibvirtRegistrar#define}; rolled back by undefining the new domain. */
    public RegisteredDomain define(String domainXml, String name, String uuid, boolean replace) {
        RegisteredDomain domain = registrar.define(domainXml, name, uuid, replace);
        undo.push(new Undo("undefine domain '" + domain.name() + "'", () -> registrar.undefine(domain)));
        return domain;
    }

    /** {@link LibvirtRegistrar#start}; rolled back by destroying the domain. */
    public void start(RegisteredDomain domain) {
        registrar.start(domain);
        undo.push(new Undo("stop domain '" + domain.name() + "'", () -> registrar.destroy(domain)));
    }

    /** {@link LibvirtRegistrar#verifyBoot}; a domain kept running is destroyed on rollback. */
    public BootReport verifyBoot(RegisteredDomain domain, Duration timeout, Pattern loginPrompt, Path consoleLog,
            boolean keepRunning) {
        BootReport report = registrar.verifyBoot(domain, timeout, loginPrompt, consoleLog, keepRunning);
        if (keepRunning && report.booted()) {
            undo.push(new Undo("stop domain '" + domain.name() + "'", () -> registrar.destroy(domain)));
        }
        return report;
    }

    /** {@link LibvirtRegistrar#uploadVolume}; rolled back by deleting the volume. */
    public UploadedVolume uploadVolume(String poolName, String volumeName, Path image, boolean replace) {
        UploadedVolume volume = registrar.uploadVolume(poolName, volumeName, image, replace);
        undo.push(new Undo("delete volume '" + volume.name() + "' (" + volume.path() + ")",
                () -> registrar.deleteVolume(volume)));
        return volume;
    }

    /** {@link LibvirtRegistrar#isLeftoverOf}: a shut-off domain of this name and UUID naming {@code path}. */
    public boolean isLeftoverOf(String name, String uuid, String path) {
        return registrar.isLeftoverOf(name, uuid, path);
    }

    /** Registers the removal of something created outside this class (e.g. an uploaded volume). */
    public void onRollback(String what, Runnable action) {
        undo.push(new Undo(what, action));
    }

    /** Keeps everything created so far; closing afterwards removes nothing. */
    public void commit() {
        committed = true;
        undo.clear();
    }

    /**
     * Rolls back unless committed. Every undo step runs even when an earlier one fails.
     *
     * @throws LibvirtRegistrationException naming the steps that failed; inside a
     *         try-with-resources block that is already failing it becomes a suppressed
     *         exception of the original error
     */
    @Override
    public void close() {
        if (committed) {
            return;
        }
        List<String> failed = new ArrayList<>();
        RuntimeException first = null;
        while (!undo.isEmpty()) {
            Undo step = undo.pop();
            try {
                step.action().run();
            } catch (RuntimeException e) {
                failed.add(step.what() + " (" + e.getMessage() + ")");
                if (first == null) {
                    first = e;
                }
            }
        }
        if (!failed.isEmpty()) {
            throw new LibvirtRegistrationException(registrar.uri() + ": rolling back a failed registration: could not "
                    + String.join("; ", failed) + "; remove these by hand (virsh destroy/undefine/vol-delete)", first);
        }
    }
}
