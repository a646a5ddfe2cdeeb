package org.xen2kvm.pipeline;

import java.io.IOException;

/** The last step: removes the run marker, so the outputs now count as a finished conversion. */
final class FinishRun implements Step {
    @Override
    public String name() {
        return "finish";
    }

    @Override
    public boolean writes() {
        return true;
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        run.get(Facts.RUN_MARKER).finish();
    }
}
