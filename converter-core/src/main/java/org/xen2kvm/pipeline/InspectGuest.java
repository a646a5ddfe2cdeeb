package org.xen2kvm.pipeline;

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
final class InspectGuest implements Step {
    private final String whenNoRoot;

    /** @param whenNoRoot the warning when no Linux root filesystem is found */
    InspectGuest(String whenNoRoot) {
        this.whenNoRoot = whenNoRoot;
    }

    @Override
    public String name() {
        return "inspect-guest";
    }

    @Override
    public String phase() {
        return "inspect";
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        Optional<GuestLayout> layout = run.find(Facts.LAYOUT);
        if (layout.isEmpty()) {
            return;
        }
        GuestFileSystem rootVolume = GuestInspector.findRoot(layout.get().filesystems()).orElse(null);
        if (rootVolume == null) {
            run.warn(whenNoRoot);
            return;
        }
        List<String> warnings = new ArrayList<>();
        GuestFileSystem root = layout.get().mountBoot(rootVolume, run.get(Facts.PLAN).deviceMap(), warnings);
        warnings.forEach(run::warn);
        InspectedGuest inspected = GuestInspector.inspect(root);
        inspected.warnings().forEach(run::warn);
        run.put(Facts.ROOT_VOLUME, rootVolume);
        run.put(Facts.ROOT, root);
        run.put(Facts.INSPECTED, inspected);
    }
}
