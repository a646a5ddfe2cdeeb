package org.xen2kvm.pipeline;

import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.plan.DeviceModelChoice;

/**
 * Chooses each disk's bus and each NIC's model now that the guest's drivers are known:
 * virtio only where the guest has the driver, else the model Xen emulated. Runs before the
 * edits, which must name the disks as the KVM guest will see them.
 */
final class ChooseDevices extends PipelineStep {
    ChooseDevices() {
        super("choose-devices", "inspect", READS);
    }

    @Override
    public void run(ConversionRun run) {
        if (run.find(Facts.LAYOUT).isEmpty()) {
            return;
        }
        ConversionPlan planned = run.get(Facts.PLAN);
        run.put(Facts.PLANNED_DEVICES, planned.deviceMap());
        run.put(Facts.PLAN, DeviceModelChoice.apply(planned, run.find(Facts.INSPECTED).orElse(null),
                run.request().plan().keepNicModel()));
    }
}
