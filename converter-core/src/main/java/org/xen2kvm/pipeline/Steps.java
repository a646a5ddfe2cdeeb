package org.xen2kvm.pipeline;

import java.util.List;

/** The pipeline, in order. Reading this list is reading what a conversion does. */
public final class Steps {
    private Steps() {
    }

    /** A whole conversion; a dry run runs the same list without the steps that write. */
    static List<Step> conversion() {
        return List.of(
                new ReadDefinition(),
                new PlanConversion(),
                new PrepareOutputs(),
                new OpenDisks(true),
                new GuardBackingFiles(),
                new MeasureSpace(),
                new FindVolumes(),
                new InspectGuest("; the guest is copied unchanged"),
                new ChooseDevices(),
                new RequireKvmKernel(),
                // Before the boot decision and the edits, which then see the new kernel as the guest's default.
                new InstallKernels(),
                new DecideBoot(),
                new EditGuest(),
                new FinishPlan(),
                new CopyBootFiles(),
                new FlushFileSystems(),
                new CopyDisks(),
                new ConnectLibvirt(),
                new DeliverDisks(),
                new RenderDomainXml(),
                new WriteDomainXml(),
                new RegisterDomain(),
                new FinishRun());
    }

    /** {@code inspect}: the first steps of a conversion, which change nothing. */
    static List<Step> inspection() {
        return List.of(
                new ReadDefinition(),
                new PlanConversion(),
                new OpenDisks(false),
                new FindVolumes(),
                new InspectGuest(""),
                new ChooseDevices());
    }
}
