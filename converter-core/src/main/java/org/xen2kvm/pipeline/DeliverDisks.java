package org.xen2kvm.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.xen2kvm.kvm.TargetDisk;
import org.xen2kvm.kvm.TargetDomain;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.plan.DiskCopy;

/**
 * Hands the written disks to their destination (they stay in the output directory, or go
 * into a storage pool) and points the domain at where they are now.
 */
final class DeliverDisks extends PipelineStep {
    DeliverDisks() {
        super("deliver-disks", "register", WRITES);
    }

    @Override
    public void run(ConversionRun run) {
        DiskDestination destination = run.request().disks();
        if (destination instanceof DiskDestination.LocalFiles) {
            return;
        }
        ConversionPlan plan = run.get(Facts.PLAN);
        List<Path> images = plan.copies().stream().map(DiskCopy::outputPath).toList();
        run.stage("upload", images.size() + " disk(s) to " + destination);
        Map<Path, String> where = destination.deliver(images, run.get(Facts.REGISTRATION), run.request().replace());
        TargetDomain t = plan.target();
        List<TargetDisk> disks = new ArrayList<>();
        for (TargetDisk d : t.disks()) {
            String moved = d.sourcePath() == null ? null : where.get(Path.of(d.sourcePath()));
            disks.add(moved == null ? d : new TargetDisk(moved, d.format(), d.blockDevice(), d.targetDev(), d.bus(),
                    d.cdrom(), d.readOnly(), d.shareable()));
        }
        run.put(Facts.PLAN, plan.withTarget(t.withDevices(disks, t.nics()), plan.boot(), plan.bootNote(), List.of()));
    }
}
