package org.xen2kvm.pipeline;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.edit.ConversionContext;
import org.xen2kvm.edit.EditReport;
import org.xen2kvm.edit.GuestEdit;
import org.xen2kvm.guest.LvmInventory;
import org.xen2kvm.edit.GuestEditor;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.xen.SourceNic;

/**
 * Fixes the guest for KVM in the overlays: fstab, GRUB, console, modprobe, network names. Refuses
 * (exit 1, before any disk is written) a guest with LVM parts the reader does not handle, whose
 * files there cannot be edited; with {@code --no-guest-edits} nothing is edited and the plan says so.
 */
final class EditGuest extends PipelineStep {
    /** The serial console every converted guest gets. */
    static final String SERIAL_CONSOLE = "ttyS0";

    EditGuest() {
        super("edit-guest", "edit", READS);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        try {
            edit(run);
        } finally {
            // The initrd images (~125 MB for a Debian guest) are not needed past the edits: the
            // copy and the XML do not read them.
            run.find(Facts.INSPECTED).ifPresent(g -> g.initrds().releaseImages());
        }
    }

    private void edit(ConversionRun run) throws IOException {
        List<LvmInventory.Refusal> refused = run.find(Facts.LAYOUT).map(l -> l.lvm().refusals()).orElse(List.of());
        if (run.request().noGuestEdits()) {
            run.warn(skippedNote(refused));
            return;
        }
        if (!refused.isEmpty()) {
            throw new Xen2KvmException(run.get(Facts.PLAN).source().name() + ": "
                    + String.join("; ", refused.stream().map(LvmInventory.Refusal::message).toList())
                    + ": the guest's files there cannot be read or edited; convert with --no-guest-edits to copy"
                    + " the disks without changing the guest");
        }
        Optional<GuestFileSystem> root = run.find(Facts.ROOT);
        if (root.isEmpty()) {
            return;
        }
        run.stage("edit", "fixing the guest for KVM");
        ConversionContext ctx = context(run);
        if (!root.get().isWritable()) {
            throw new Xen2KvmException(root.get().describe() + ": the root filesystem cannot be edited");
        }
        EditReport edits = GuestEditor.applyAll(root.get(), ctx);
        edits.warnings().forEach(run::warn);
        run.put(Facts.EDITS, edits);
    }

    /** What the edits need to know of this conversion: the device map, the inspected guest, the NICs. */
    static ConversionContext context(ConversionRun run) {
        ConversionPlan plan = run.get(Facts.PLAN);
        List<String> macs = plan.source().nics().stream().map(SourceNic::mac).filter(Objects::nonNull).toList();
        return new ConversionContext(plan.deviceMap(), run.get(Facts.INSPECTED), run.request().fstabUuid(),
                plan.deviceMap().followAll(run.get(Facts.LAYOUT).uuids(), run.get(Facts.PLANNED_DEVICES)), macs,
                SERIAL_CONSOLE);
    }

    /** What the plan says for {@code --no-guest-edits}: every edit by name, and what LVM refused. */
    static String skippedNote(List<LvmInventory.Refusal> refused) {
        String names = String.join(", ", GuestEditor.defaultEdits().stream().map(GuestEdit::name).toList());
        return "guest edits skipped (--no-guest-edits): " + names + " are left as on Xen; the disks are copied"
                + " unchanged" + (refused.isEmpty() ? ""
                : "; LVM parts not handled: " + String.join("; ",
                        refused.stream().map(LvmInventory.Refusal::message).toList()));
    }
}
