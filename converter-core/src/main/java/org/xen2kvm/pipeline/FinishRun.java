package org.xen2kvm.pipeline;

import java.io.IOException;

/** The last step: removes the run marker, so the outputs now count as a finished conversion. */
final class FinishRun extends PipelineStep {
    FinishRun() {
        super("finish", null, WRITES);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        run.get(Facts.RUN_MARKER).finish();
    }
}
