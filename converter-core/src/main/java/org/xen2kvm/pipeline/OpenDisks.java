package org.xen2kvm.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.plan.DiskCopy;
import org.xen2kvm.image.DiskFormat;

/**
 * Opens the guest's disks read-only, each behind a copy-on-write overlay that takes every
 * edit. In a dry run of a conversion, disks that cannot be read here leave the plan to be
 * made from the definition alone.
 */
final class OpenDisks extends PipelineStep {
    private final boolean planWithoutUnreadableDisks;

    OpenDisks(boolean planWithoutUnreadableDisks) {
        super("open-disks", "inspect", READS);
        this.planWithoutUnreadableDisks = planWithoutUnreadableDisks;
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        ConversionPlan plan = run.get(Facts.PLAN);
        if (planWithoutUnreadableDisks && run.dryRun()) {
            List<String> missing = plan.copies().stream()
                    .filter(c -> c.sourceFormat() != DiskFormat.XVA)
                    .map(DiskCopy::sourcePath).filter(p -> !Files.isReadable(Path.of(p))).toList();
            if (!missing.isEmpty()) {
                run.warn("disk " + String.join(", ", missing) + " not readable here: the guest was not inspected,"
                        + " boot and guest edits are planned from the definition only");
                return;
            }
        }
        run.put(Facts.DISKS, run.cleanup().closeAtEnd(GuestDisks.open(plan, run.request().allowBacking(),
                run.request().plan().outputDir(), run::progress)));
    }
}
