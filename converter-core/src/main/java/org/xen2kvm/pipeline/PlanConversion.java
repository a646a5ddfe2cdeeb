package org.xen2kvm.pipeline;

import org.xen2kvm.plan.ConversionPlanner;

/** Plans the KVM guest from the definition alone: names, device map, disk copies, domain. */
final class PlanConversion implements Step {
    @Override
    public String name() {
        return "plan";
    }

    @Override
    public String phase() {
        return "read+plan";
    }

    @Override
    public void run(ConversionRun run) {
        run.put(Facts.PLAN, ConversionPlanner.plan(run.get(Facts.SOURCE), run.request().plan()));
    }
}
