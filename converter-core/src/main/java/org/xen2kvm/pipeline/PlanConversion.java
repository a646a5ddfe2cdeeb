package org.xen2kvm.pipeline;

import org.xen2kvm.plan.ConversionPlanner;

/** Plans the KVM guest from the definition alone: names, device map, disk copies, domain. */
final class PlanConversion extends PipelineStep {
    PlanConversion() {
        super("plan", "read+plan", READS);
    }

    @Override
    public void run(ConversionRun run) {
        run.put(Facts.PLAN, ConversionPlanner.plan(run.get(Facts.SOURCE), run.request().plan()));
    }
}
