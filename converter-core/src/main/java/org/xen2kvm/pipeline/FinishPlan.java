package org.xen2kvm.pipeline;

import org.xen2kvm.plan.BootDecision;

import java.util.Optional;
import org.xen2kvm.plan.BootStrategy;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.plan.OutputNames;
import org.xen2kvm.kvm.DirectBoot;
import org.xen2kvm.kvm.TargetDomain;

/**
 * Settles the plan with what inspection decided (the boot, direct-boot file names) and the
 * warnings gathered on the way, and reports those warnings.
 */
final class FinishPlan extends PipelineStep {
    FinishPlan() {
        super("finish-plan", null, READS);
    }

    @Override
    public void run(ConversionRun run) {
        ConversionPlan plan = run.get(Facts.PLAN);
        Optional<BootDecision> boot = run.find(Facts.BOOT);
        plan = boot.isPresent()
                ? plan.withTarget(target(plan, boot.get(), run.outputNames()), boot.get().strategy(),
                        boot.get().note(), run.takeWarnings())
                : plan.withTarget(plan.target(), plan.boot(), plan.bootNote(), run.takeWarnings());
        run.put(Facts.PLAN, plan);
        plan.warnings().forEach(w -> run.emit(new ConversionEvent.Warning(w)));
    }

    private static TargetDomain target(ConversionPlan plan, BootDecision boot, OutputNames names) {
        TargetDomain t = plan.target();
        if (boot.strategy() != BootStrategy.DIRECT_KERNEL) {
            return t.withDirectBoot(null);
        }
        boolean initrd = boot.initrdInGuest() != null || boot.initrdOnHost() != null;
        return t.withDirectBoot(new DirectBoot(
                names.kernel().toString(),
                initrd ? names.initrd().toString() : null,
                boot.cmdline()));
    }
}
