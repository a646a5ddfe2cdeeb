package org.xen2kvm.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.image.write.OutputSpace;

/**
 * Measures the data each disk will write (from the sources' allocation maps, without reading
 * the data) and the free space of the output file system, for the plan. A run refuses here,
 * before anything is copied, when the data alone cannot fit; a dry run only warns.
 */
final class MeasureSpace extends PipelineStep {
    MeasureSpace() {
        super("measure-space", "inspect", READS);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        GuestDisks disks = run.find(Facts.DISKS).orElse(null);
        if (disks == null) {
            return; // a dry run whose disks cannot be read here
        }
        List<OutputSpace.DiskNeed> needs = new ArrayList<>();
        for (GuestDisks.OpenDisk d : disks.disks()) {
            needs.add(new OutputSpace.DiskNeed(d.copy().outputPath(), OutputSpace.dataBytes(d.source())));
        }
        OutputSpace space = OutputSpace.measure(needs, run.request().plan().outputDir());
        run.put(Facts.SPACE, space);
        if (space.tooSmall()) {
            if (!run.dryRun()) {
                throw space.refusal(run.request().plan().outputDir());
            }
            run.warn("not enough space for the disks: " + space.summary());
        }
    }
}
