package org.xen2kvm.batch;

import org.xen2kvm.pipeline.ConversionEvent;

/** What a plan run reports while it works; called from the worker threads. */
public interface PlanListener {
    /** A guest's hooks and conversion begin. */
    void started(PlanEntry guest);

    /** An event of a guest's conversion. */
    void event(PlanEntry guest, ConversionEvent event);

    /** A guest is finished (done, failed, or left alone). */
    void finished(PlanEntry guest, RunOutcome outcome);
}
