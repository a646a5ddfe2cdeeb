package org.xen2kvm.pipeline;

import java.io.IOException;
import java.util.Optional;
import org.xen2kvm.guest.GuestLayout;

/** Finds the filesystems and swap areas on the open disks, named as the KVM guest sees them. */
final class FindVolumes extends PipelineStep {
    FindVolumes() {
        super("find-volumes", "inspect", READS);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        Optional<GuestDisks> disks = run.find(Facts.DISKS);
        if (disks.isEmpty()) {
            return;
        }
        run.stage("inspect", "looking for the guest's root filesystem");
        GuestLayout layout = run.cleanup().closeAtEnd(GuestLayout.discover(disks.get().byKvmPath()));
        layout.warnings().forEach(run::warn);
        run.put(Facts.LAYOUT, layout);
    }
}
