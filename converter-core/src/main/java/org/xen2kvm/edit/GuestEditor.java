package org.xen2kvm.edit;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xen2kvm.fs.GuestFileSystem;

/** Runs the guest edits in order and reports every file they changed. */
public final class GuestEditor {

    private final List<GuestEdit> edits;

    public GuestEditor(List<GuestEdit> edits) {
        this.edits = List.copyOf(edits);
    }

    /**
     * The edits a Xen PV Linux guest needs, in the order they run. Each does nothing on a guest
     * without the files it edits, so the RHEL-family ones (device.map, kudzu, sysconfig/kernel)
     * are in the list for every guest.
     */
    public static List<GuestEdit> defaultEdits() {
        // InitramfsCheck judges the initrds as built on Xen, before InitramfsConfigEdit changes what
        // the guest's tools build next time.
        return List.of(new FstabEdit(), new GrubEdit(), new DefaultKernelEdit(), new GrubDeviceMapEdit(),
                new ConsoleEdit(), new NetworkEdit(), new ModprobeEdit(), new KudzuEdit(), new SysconfigKernelEdit(),
                new LvmFilterEdit(),
                // The copy of lvm.conf in the initramfs decides whether the root LV is found at all.
                new InitrdFileEdit("initramfs-lvm", "etc/lvm/lvm.conf", LvmFilterEdit::rewrite), new DeviceCachesEdit(),
                new SelinuxRelabelEdit(), new InitramfsCheck(), new InitramfsConfigEdit(), new ClockAdvice());
    }

    /** Applies {@link #defaultEdits()}. */
    public static EditReport applyAll(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        return new GuestEditor(defaultEdits()).apply(fs, ctx);
    }

    /**
     * Applies the edits in order.
     *
     * @throws IOException from the first edit whose filesystem operation fails; earlier edits stay applied
     */
    public EditReport apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        RecordingFileSystem recording = new RecordingFileSystem(fs);
        Map<String, List<String>> notes = new LinkedHashMap<>();
        for (GuestEdit e : edits) {
            notes.put(e.name(), e.apply(recording, ctx));
        }
        return new EditReport(recording.changes(), notes);
    }
}
