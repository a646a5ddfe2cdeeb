package org.xen2kvm.pipeline;

import java.util.Optional;
import org.xen2kvm.plan.KernelRequirement;
import org.xen2kvm.plan.NoKvmKernelException;

/**
 * Stops a conversion whose guest would have no kernel that boots on KVM, before any disk is
 * copied; the run's cleanup removes the output directory and marker made so far.
 */
final class RequireKvmKernel extends PipelineStep {
    RequireKvmKernel() {
        super("require-kvm-kernel", "inspect", READS);
    }

    @Override
    public void run(ConversionRun run) {
        Optional<String> refusal = KernelRequirement.refusal(run.get(Facts.PLAN), run.find(Facts.INSPECTED).orElse(null),
                run.request().boot());
        if (refusal.isPresent()) {
            throw new NoKvmKernelException(refusal.get());
        }
    }
}
