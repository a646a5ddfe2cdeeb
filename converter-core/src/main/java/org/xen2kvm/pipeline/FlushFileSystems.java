package org.xen2kvm.pipeline;

import org.xen2kvm.guest.GuestLayout;
import java.io.IOException;
import java.util.Optional;

/** Closes the guest's filesystems, so their metadata lands in the overlays before the disks are copied. */
final class FlushFileSystems extends PipelineStep {
    FlushFileSystems() {
        super("flush-filesystems", "edit", READS);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        Optional<GuestLayout> layout = run.find(Facts.LAYOUT);
        if (layout.isPresent()) {
            run.cleanup().closeNow(layout.get());
        }
    }
}
