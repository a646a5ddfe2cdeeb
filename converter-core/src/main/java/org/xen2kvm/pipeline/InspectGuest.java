package org.xen2kvm.pipeline;

import org.xen2kvm.guest.GuestLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.InspectedGuest;

/**
 * Finds the root filesystem, mounts the guest's /boot on it where fstab puts /boot apart,
 * and reads what is installed (OS, kernels, bootloader, fstab, console).
 */
final class InspectGuest extends PipelineStep {
    private final String consequence;

    /** @param consequence what it means for the run when the guest's files cannot be read ("" for none) */
    InspectGuest(String consequence) {
        super("inspect-guest", "inspect", READS);
        this.consequence = consequence;
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        Optional<GuestLayout> layout = run.find(Facts.LAYOUT);
        if (layout.isEmpty()) {
            return;
        }
        GuestFileSystem rootVolume = GuestInspector.findRoot(layout.get().filesystems()).orElse(null);
        if (rootVolume == null) {
            Optional<String> ntfs = layout.get().ntfsVolume();
            if (ntfs.isPresent()) {
                run.put(Facts.INSPECTED, InspectedGuest.windows(ntfs.get()));
                run.warn("Windows guest (NTFS on " + ntfs.get() + "): its files cannot be read here" + consequence);
            } else {
                run.warn("no Linux root filesystem found on the guest's disks" + consequence);
            }
            return;
        }
        List<String> warnings = new ArrayList<>();
        GuestFileSystem root = layout.get().mountBoot(rootVolume, run.get(Facts.PLAN).deviceMap()::translate, warnings);
        warnings.forEach(run::warn);
        InspectedGuest inspected = GuestInspector.inspect(root);
        inspected.warnings().forEach(run::warn);
        run.put(Facts.ROOT_VOLUME, rootVolume);
        run.put(Facts.ROOT, root);
        run.put(Facts.INSPECTED, inspected);
    }
}
