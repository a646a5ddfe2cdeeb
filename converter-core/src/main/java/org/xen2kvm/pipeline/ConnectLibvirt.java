package org.xen2kvm.pipeline;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.xen2kvm.libvirt.LibvirtRegistrar;
import org.xen2kvm.libvirt.Registration;

/**
 * Opens the libvirt connection ({@code --connect}) and the all-or-nothing registration that
 * the later steps add to (uploaded volumes, the defined domain); unless a step commits it,
 * closing it at the end of the run takes everything back.
 */
final class ConnectLibvirt extends PipelineStep {
    ConnectLibvirt() {
        super("connect-libvirt", "register", WRITES);
    }

    @Override
    public void run(ConversionRun run) {
        if (run.request().connectUri() == null) {
            return;
        }
        run.stage("register", run.request().connectUri());
        if (run.request().disks() instanceof DiskDestination.LocalFiles) {
            warnIfUnreachable(run);
        }
        LibvirtRegistrar registrar = LibvirtRegistrar.connect(run.request().connectUri());
        Registration registration = registrar.begin();
        Closeable both = () -> {
            try {
                registration.close();
            } finally {
                registrar.close();
            }
        };
        run.cleanup().closeAtEnd(both);
        run.put(Facts.REGISTRATION, registration);
    }

    /**
     * A local system libvirt runs QEMU as its own user, which must be able to walk down to
     * the output directory; a private directory (mode 0700, as mktemp makes) makes the
     * guest fail to start with "Permission denied".
     */
    private static void warnIfUnreachable(ConversionRun run) {
        if (!run.request().connectUri().startsWith("qemu:///system")) {
            return;
        }
        for (Path p = run.request().plan().outputDir().toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    run.emit(new ConversionEvent.Warning(p + " is not searchable by other users: libvirt's QEMU may not"
                            + " reach the disks (chmod o+x " + p + ")"));
                    return;
                }
            } catch (IOException | UnsupportedOperationException e) {
                return;
            }
        }
    }
}
