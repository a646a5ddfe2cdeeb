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
        if (layout.isEmpty()) {
            return;
        }
        Optional<PartitionTable> bootTable = run.find(Facts.ROOT_VOLUME)
                .flatMap(layout.get()::volumeOf)
                .flatMap(v -> layout.get().bootDiskTable(v.kvmPath()));
        List<String> warnings = new ArrayList<>();
        run.put(Facts.BOOT, BootPlanner.decide(run.get(Facts.PLAN), run.find(Facts.INSPECTED).orElse(null),
                bootTable, warnings));
        warnings.forEach(run::warn);
    }
}
