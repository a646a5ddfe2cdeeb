package org.xen2kvm.pipeline;

import org.xen2kvm.plan.BootDecision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.plan.BootStrategy;
import org.xen2kvm.kvm.DirectBoot;

/** Puts the kernel and initrd for direct boot next to the disks, from the guest's /boot or dom0. */
final class CopyBootFiles extends PipelineStep {
    /** A kernel or initrd larger than this is not a kernel. */
    private static final int MAX_BOOT_FILE = 512 << 20;

    CopyBootFiles() {
        super("copy-boot-files", null, WRITES);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        BootDecision boot = run.find(Facts.BOOT).orElse(null);
        if (boot == null || boot.strategy() != BootStrategy.DIRECT_KERNEL) {
            return;
        }
        DirectBoot db = run.get(Facts.PLAN).target().directBoot();
        GuestFileSystem root = run.find(Facts.ROOT).orElse(null);
        run.stage("kernel", "copying " + (boot.kernelInGuest() != null ? boot.kernelInGuest() : boot.kernelOnHost()));
        copy(run, boot.kernelInGuest(), boot.kernelOnHost(), Path.of(db.kernel()), root);
        if (db.initrd() != null) {
            copy(run, boot.initrdInGuest(), boot.initrdOnHost(), Path.of(db.initrd()), root);
        }
    }

    private static void copy(ConversionRun run, String inGuest, String onHost, Path out, GuestFileSystem root)
            throws IOException {
        byte[] data;
        if (inGuest != null && root != null) {
            // The file is held whole in memory: refuse one the heap cannot hold with a message
            // naming its size rather than an OutOfMemoryError (a 400 MiB initrd did in -Xmx300m).
            int limit = (int) Math.min(MAX_BOOT_FILE, Runtime.getRuntime().maxMemory() / 4 * 3);
            data = root.readFile(inGuest, limit);
        } else if (onHost != null && Files.isRegularFile(Path.of(onHost))) {
            data = Files.readAllBytes(Path.of(onHost));
        } else {
            throw new Xen2KvmException("kernel or initrd " + (onHost != null ? onHost : inGuest)
                    + " not found in the guest's /boot nor on this host; copy it here or give the guest a standard kernel");
        }
        run.cleanup().outputs().write(out, data);
    }
}
