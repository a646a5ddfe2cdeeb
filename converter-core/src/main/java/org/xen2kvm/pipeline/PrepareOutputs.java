package org.xen2kvm.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * outputs that exist (unless {@code --force}), removes what an earlier, killed run left (its
 * {@code .part} files, and its finished outputs when its {@link RunMarker} is still there),
 * claims the run marker, and creates the output directory (a compressed XVA is unpacked there, so
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
        run.cleanup().outputs().createDirectories(run.request().plan().outputDir());
        RunMarker marker = run.cleanup().closeAtEnd(RunMarker.claim(run.outputNames().runMarker()));
        run.cleanup().outputs().marker(marker.path());
        run.put(Facts.RUN_MARKER, marker);
        removeLeftovers(run, marker, outputs);
        if (!run.request().copy().force()) {
            for (Path p : outputs) {
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new Xen2KvmException(p + ": output exists; remove it or use --force");
                }
            }
        }
        for (Path p : outputs) {
            RunOutputs.removeStalePart(p);
        }
        marker.record(outputs);
    }

    /**
     * Removes the finished outputs (kernel, first disks, XML) of an earlier run with the same
     * name and directory that was killed before it finished: the same command run again
     * converts again. Only files this run would write, and the earlier one listed, are removed.
     */
    private static void removeLeftovers(ConversionRun run, RunMarker marker, List<Path> outputs) throws IOException {
        List<String> removed = new ArrayList<>();
        for (Path p : outputs) {
            String file = p.getFileName().toString();
            if (marker.earlierOutputs().contains(file) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(p);
                removed.add(file);
            }
        }
        if (marker.resumed()) {
            run.emit(new ConversionEvent.Warning(marker.path() + ": an earlier run did not finish (killed?); "
                    + (removed.isEmpty() ? "it left no finished output" : "removed what it left: "
                    + String.join(", ", removed)) + "; converting again"));
        }
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
