package org.xen2kvm.pipeline;

import java.nio.file.Path;
import java.time.Duration;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.plan.BootRequest;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.xen.ConfigFormat;

/**
 * One conversion as the user asked for it.
 *
 * @param format       forced definition format, or null to detect
 * @param dryRun       plan and show the guest edits, write nothing
 * @param copy         how disks are written (replace existing outputs, compression, O_DIRECT)
 * @param connectUri   libvirt URI to register the guest with, or null for none
 * @param verifyBoot   start the guest and wait this long for a login prompt, or null
 * @param disks        where the disks go once written: files in the output directory, or
 *                     volumes of a libvirt storage pool (local or remote)
 * @param noGuestEdits copy the disks and write the domain without changing anything inside the
 *                     guest ({@code --no-guest-edits}); also what lets a guest whose LVM layout is
 *                     partly refused convert at all
 * @param boot         {@code --boot}, {@code --kernel}, {@code --initrd}, {@code --cmdline}, {@code --install-kernel}
 */
public record ConversionRequest(
        Path definition,
        ConfigFormat format,
        PlanOptions plan,
        boolean dryRun,
        boolean fstabUuid,
        CopyOptions copy,
        boolean allowBacking,
        String connectUri,
        boolean replace,
        boolean start,
        Duration verifyBoot,
        DiskDestination disks,
        boolean noGuestEdits,
        BootRequest boot) {

    public ConversionRequest {
        java.util.Objects.requireNonNull(boot, "boot");
        if (disks instanceof DiskDestination.StoragePool && connectUri == null) {
            throw new IllegalArgumentException("a storage pool needs a libvirt connection (--connect URI)");
        }
    }

    /** A request that edits the guest and leaves the kernel and boot to it ({@link BootRequest#AUTO}). */
    public ConversionRequest(Path definition, ConfigFormat format, PlanOptions plan, boolean dryRun, boolean fstabUuid,
                             CopyOptions copy, boolean allowBacking, String connectUri, boolean replace, boolean start,
                             Duration verifyBoot, DiskDestination disks) {
        this(definition, format, plan, dryRun, fstabUuid, copy, allowBacking, connectUri, replace, start, verifyBoot,
                disks, false, BootRequest.AUTO);
    }

    /** A request that leaves the kernel and boot to the guest, with or without guest edits. */
    public ConversionRequest(Path definition, ConfigFormat format, PlanOptions plan, boolean dryRun, boolean fstabUuid,
                             CopyOptions copy, boolean allowBacking, String connectUri, boolean replace, boolean start,
                             Duration verifyBoot, DiskDestination disks, boolean noGuestEdits) {
        this(definition, format, plan, dryRun, fstabUuid, copy, allowBacking, connectUri, replace, start, verifyBoot,
                disks, noGuestEdits, BootRequest.AUTO);
    }

    /** A request that edits the guest, booting as {@code boot} says. */
    public ConversionRequest(Path definition, ConfigFormat format, PlanOptions plan, boolean dryRun, boolean fstabUuid,
                             CopyOptions copy, boolean allowBacking, String connectUri, boolean replace, boolean start,
                             Duration verifyBoot, DiskDestination disks, BootRequest boot) {
        this(definition, format, plan, dryRun, fstabUuid, copy, allowBacking, connectUri, replace, start, verifyBoot,
                disks, false, boot);
    }

    /** A request whose disks stay as files in the output directory. */
    public ConversionRequest(Path definition, ConfigFormat format, PlanOptions plan, boolean dryRun, boolean fstabUuid,
                             CopyOptions copy, boolean allowBacking, String connectUri, boolean replace, boolean start,
                             Duration verifyBoot) {
        this(definition, format, plan, dryRun, fstabUuid, copy, allowBacking, connectUri, replace, start, verifyBoot,
                new DiskDestination.LocalFiles());
    }
}
