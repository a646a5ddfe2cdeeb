package org.xen2kvm.pipeline;

import java.io.IOException;
import org.xen2kvm.image.write.DiskCopier;
import org.xen2kvm.image.write.OutputSpace;
import org.xen2kvm.plan.DiskCopy;

/**
 * Streams every disk out of its overlay (edits included) into a sparse raw or qcow2 file. A
 * write that finds the file system full fails naming the output, the space needed and free.
 */
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
            try {
                DiskCopier.copy(d.overlay(), c.outputPath(),
                        c.outputFormat(),
                        run.request().copy(), run::progress, run.cancellation());
            } catch (IOException e) {
                // A full file system says only "No space left on device": say where and how much.
                if (OutputSpace.isOutOfSpace(e) && run.find(Facts.SPACE).isPresent()) {
                    throw run.get(Facts.SPACE).ranOut(c.outputPath(), e);
                }
                throw e;
            }
        }
    }
}
