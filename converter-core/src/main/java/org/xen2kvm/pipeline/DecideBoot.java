package org.xen2kvm.pipeline;

import org.xen2kvm.plan.BootPlanner;

import org.xen2kvm.guest.GuestLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xen2kvm.partition.PartitionTable;

/** Decides how the KVM guest boots, now that its kernels and bootloader are known. */
final class DecideBoot extends PipelineStep {
    DecideBoot() {
        super("decide-boot", "inspect", READS);
    }

    @Override
    public void run(ConversionRun run) {
        Optional<GuestLayout> layout = run.find(Facts.LAYOUT);
        // A kernel of this host boots the guest whatever its disks hold.
        if (layout.isEmpty() && !run.request().boot().hostKernel()) {
            return;
        }
        Optional<PartitionTable> bootTable = layout.flatMap(l -> run.find(Facts.ROOT_VOLUME)
                .flatMap(l::volumeOf)
                .flatMap(v -> l.bootDiskTable(v.kvmPath())));
        List<String> warnings = new ArrayList<>();
        run.put(Facts.BOOT, BootPlanner.decide(run.get(Facts.PLAN), run.find(Facts.INSPECTED).orElse(null),
                bootTable, run.request().boot(), warnings));
        warnings.forEach(run::warn);
    }
}
