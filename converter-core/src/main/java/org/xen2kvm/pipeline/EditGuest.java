package org.xen2kvm.pipeline;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.edit.ConversionContext;
import org.xen2kvm.edit.EditReport;
import org.xen2kvm.edit.GuestEditor;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.xen.SourceNic;

/** Fixes the guest for KVM in the overlays: fstab, GRUB, console, modprobe, network names. */
final class EditGuest extends PipelineStep {
    /** The serial console every converted guest gets. */
    static final String SERIAL_CONSOLE = "ttyS0";

    EditGuest() {
        super("edit-guest", "edit", READS);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        Optional<GuestFileSystem> root = run.find(Facts.ROOT);
        if (root.isEmpty()) {
            return;
        }
        run.stage("edit", "fixing the guest for KVM");
        ConversionPlan plan = run.get(Facts.PLAN);
        List<String> macs = plan.source().nics().stream().map(SourceNic::mac).filter(Objects::nonNull).toList();
        ConversionContext ctx = new ConversionContext(plan.deviceMap(), run.get(Facts.INSPECTED),
                run.request().fstabUuid(), plan.deviceMap().followAll(run.get(Facts.LAYOUT).uuids(),
                        run.get(Facts.PLANNED_DEVICES)), macs, SERIAL_CONSOLE);
        if (!root.get().isWritable()) {
            throw new Xen2KvmException(root.get().describe() + ": the root filesystem cannot be edited");
        }
        EditReport edits = GuestEditor.applyAll(root.get(), ctx);
        edits.warnings().forEach(run::warn);
        run.put(Facts.EDITS, edits);
    }
}
