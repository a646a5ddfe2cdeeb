package org.xen2kvm.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.image.write.SourceGuard;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.plan.DiskCopy;
import org.xen2kvm.image.DiskFormat;

/**
 * Before any file is opened: refuses outputs that are (or resolve to) a source file and
 * outputs that exist (unless {@code --force}), removes the {@code .part} files an earlier,
 * killed run left, and creates the output directory (a compressed XVA is unpacked there, so
 * it must be registered for removal before the disks are opened).
 */
final class PrepareOutputs extends PipelineStep {
    PrepareOutputs() {
        super("prepare-outputs", null, WRITES);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        ConversionPlan plan = run.get(Facts.PLAN);
        List<Path> outputs = plannedOutputs(run);
        SourceGuard.check(namedSources(run, plan), outputs);
        if (!run.request().copy().force()) {
            for (Path p : outputs) {
                if (Files.exists(p)) {
                    throw new Xen2KvmException(p + ": output exists; remove it or use --force");
                }
            }
        }
        for (Path p : outputs) {
            RunOutputs.removeStalePart(p);
        }
        run.cleanup().outputs().createDirectories(run.request().plan().outputDir());
    }

    /** Every file a run may write: the disks, the domain XML, a kernel and an initrd. */
    static List<Path> plannedOutputs(ConversionRun run) {
        List<Path> outputs = new ArrayList<>();
        run.get(Facts.PLAN).copies().forEach(c -> outputs.add(c.outputPath()));
        outputs.addAll(run.outputNames().besidesDisks());
        return outputs;
    }

    /** The definition and the disk images as named, before they are opened. */
    private static List<Path> namedSources(ConversionRun run, ConversionPlan plan) {
        List<Path> sources = new ArrayList<>();
        sources.add(run.request().definition());
        if (plan.source().sourceFile() != null) {
            sources.add(Path.of(plan.source().sourceFile()));
        }
        for (DiskCopy c : plan.copies()) {
            if (c.sourceFormat() != DiskFormat.XVA) {
                sources.add(Path.of(c.sourcePath()));
            }
        }
        return sources;
    }
}
