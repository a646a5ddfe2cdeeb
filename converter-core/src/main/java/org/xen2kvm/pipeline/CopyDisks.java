package org.xen2kvm.pipeline;

import java.io.IOException;
import org.xen2kvm.image.write.DiskCopier;
import org.xen2kvm.plan.DiskCopy;

/** Streams every disk out of its overlay (edits included) into a sparse raw or qcow2 file. */
final class CopyDisks extends PipelineStep {
    CopyDisks() {
        super("copy-disks", "copy", WRITES);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        for (GuestDisks.OpenDisk d : run.get(Facts.DISKS).disks()) {
            DiskCopy c = d.copy();
            run.stage("copy", c.sourcePath() + " -> " + c.outputPath());
            run.cleanup().outputs().createDirectories(c.outputPath().getParent());
            run.cleanup().outputs().writing(c.outputPath());
            DiskCopier.copy(d.overlay(), c.outputPath(),
                    c.outputFormat(),
                    run.request().copy(), run::progress);
        }
    }
}
