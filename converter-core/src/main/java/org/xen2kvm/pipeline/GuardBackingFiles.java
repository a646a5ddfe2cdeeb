package org.xen2kvm.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xen2kvm.image.write.SourceGuard;

/** Refuses outputs that are a backing file of a source image, known only once the images are open. */
final class GuardBackingFiles extends PipelineStep {
    GuardBackingFiles() {
        // Nothing is written, but only a run that writes can harm a source.
        super("guard-backing-files", null, WRITES);
    }

    @Override
    public void run(ConversionRun run) {
        Optional<GuestDisks> disks = run.find(Facts.DISKS);
        if (disks.isEmpty()) {
            return;
        }
        List<Path> sources = new ArrayList<>(disks.get().sourceFiles());
        sources.add(run.request().definition());
        SourceGuard.check(sources, PrepareOutputs.plannedOutputs(run));
    }
}
