package org.xen2kvm.pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.xen2kvm.CancelledException;

/**
 * Runs steps in order. A dry run skips the steps that write. When a step fails, or the run is
 * cancelled (checked before each step, and by the steps' long loops), everything the run
 * registered is released and everything it created is removed before the failure goes on up;
 * resources are released at the end in any case.
 */
public final class StepRunner {
    private StepRunner() {
    }

    /**
     * Runs {@code steps} over {@code run}.
     *
     * @throws CancelledException when the run's cancellation was set (after cleaning up)
     * @throws IOException        on the first step's I/O failure (after cleaning up)
     */
    public static void run(List<Step> steps, ConversionRun run) throws IOException {
        try {
            for (Step step : steps) {
                if (step.writes() && run.dryRun()) {
                    continue;
                }
                // Once libvirt holds the committed domain, undoing the files would leave it
                // pointing at disks that are gone: a run that far finishes.
                if (run.find(Facts.REGISTERED).isEmpty()) {
                    run.cancellation().check("about to run step " + step.name());
                }
                long t0 = System.nanoTime();
                step.run(run);
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                if (step.phase() != null) {
                    run.addTime(step.phase(), took);
                }
                run.emit(new ConversionEvent.StepFinished(step.name(), took));
            }
        } catch (IOException | RuntimeException | Error e) {
            run.cleanup().undo(e);
            throw e;
        }
        run.cleanup().closeAll();
    }
}
