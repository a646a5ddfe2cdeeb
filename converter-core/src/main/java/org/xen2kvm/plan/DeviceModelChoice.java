package org.xen2kvm.plan;

import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.plan.DeviceMap;
import org.xen2kvm.plan.DeviceMapping;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.guest.OsFamily;
import org.xen2kvm.guest.VirtioSupport;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceNic;
import org.xen2kvm.xen.VirtType;
import org.xen2kvm.kvm.TargetDisk;
import org.xen2kvm.kvm.TargetDomain;
import org.xen2kvm.kvm.TargetNic;

/**
 * Chooses, for every disk and NIC, virtio or the device Xen emulated. A PV guest had no
 * emulated devices and goes to virtio. An HVM guest booted from emulated IDE disks and NICs,
 * and a guest without virtio drivers cannot boot from or reach anything else; so each device
 * moves to virtio only where inspection found the driver in the guest's default kernel
 * (virtio_blk available before the root is mounted, virtio_net installed), and otherwise
 * keeps its emulated model, with a note in the plan saying which and why.
 */
public final class DeviceModelChoice {
    /** The NIC Xen's device model emulates for an HVM guest whose vif names no model (xl.cfg "model"). */
    static final String XEN_HVM_DEFAULT_NIC = "rtl8139";
    /** What the plan says of a Windows guest's drivers. */
    public static final String WINDOWS_NOTE = "Windows guest: xen2kvm does not install virtio drivers in Windows, so its"
            + " disks and NICs keep the emulated models they had on Xen; install the virtio-win drivers in the guest"
            + " before moving them to virtio";

    private final boolean virtioDisks;
    private final boolean virtioNics;
    private final boolean keepNicModel;
    private final String why;
    private final String blkWhy;
    private final String netWhy;
    private final boolean windows;

    private DeviceModelChoice(boolean virtioDisks, boolean virtioNics, boolean keepNicModel, String blkWhy,
                              String netWhy, String why, boolean windows) {
        this.virtioDisks = virtioDisks;
        this.virtioNics = virtioNics;
        this.keepNicModel = keepNicModel;
        this.blkWhy = blkWhy;
        this.netWhy = netWhy;
        this.why = why;
        this.windows = windows;
    }

    /**
     * Chooses for {@code guest}.
     *
     * @param inspected    what inspection found, or null when the guest was not inspected or no
     *                     operating system was recognised on its disks
     * @param keepNicModel the user asked to keep an HVM guest's emulated NIC model (--keep-nic-model)
     */
    public static DeviceModelChoice of(SourceGuest guest, InspectedGuest inspected, boolean keepNicModel) {
        if (guest.virtType() != VirtType.HVM) {
            return new DeviceModelChoice(true, true, false, null, null, null, false);
        }
        if (inspected == null) {
            String why = "the guest was not inspected, so nothing is known of its virtio drivers";
            return new DeviceModelChoice(false, false, keepNicModel, why, why, why, false);
        }
        if (inspected.os() != null && inspected.os().family() == OsFamily.WINDOWS) {
            String why = "Windows has no virtio drivers unless they were installed in it";
            return new DeviceModelChoice(false, false, keepNicModel, why, why, why, true);
        }
        VirtioSupport v = inspected.virtio() != null ? inspected.virtio()
                : VirtioSupport.none("the guest's virtio drivers are unknown");
        return new DeviceModelChoice(v.blk(), v.net(), keepNicModel, v.blkEvidence(), v.netEvidence(), null, false);
    }

    /** Disks go on virtio-blk; otherwise they keep Xen's emulated IDE (or SATA). */
    public boolean virtioDisks() {
        return virtioDisks;
    }

    /** The device map this choice gives. */
    public DeviceMap deviceMap(SourceGuest guest) {
        return DeviceMap.of(guest, virtioDisks);
    }

    /** The libvirt NIC model for a Xen vif. */
    public String nicModel(SourceNic n) {
        if (virtioNics && !keepNicModel) {
            return "virtio";
        }
        return n.model() != null ? n.model() : XEN_HVM_DEFAULT_NIC;
    }

    /** One line per emulated device of an HVM guest: what it becomes and why; empty for a PV guest. */
    public List<String> notes(SourceGuest guest, DeviceMap map) {
        List<String> notes = new ArrayList<>();
        if (guest.virtType() != VirtType.HVM) {
            return notes;
        }
        if (windows) {
            notes.add(WINDOWS_NOTE);
        }
        for (DeviceMapping m : map.mappings()) {
            if (m.cdrom()) {
                continue;
            }
            if (m.bus().equals("virtio")) {
                notes.add("disk " + m.xenVdev() + " becomes virtio " + m.kvmTarget() + ": " + blkWhy);
            } else {
                notes.add("disk " + m.xenVdev() + " kept on " + m.bus().toUpperCase(java.util.Locale.ROOT)
                        + " as " + m.kvmTarget() + ": " + (why != null ? why : blkWhy + " (no virtio_blk driver)"));
            }
        }
        for (SourceNic n : guest.nics()) {
            String model = nicModel(n);
            String name = "NIC " + (n.mac() != null ? n.mac() : "on " + (n.bridge() != null ? n.bridge() : "the default bridge"));
            if (model.equals("virtio")) {
                notes.add(name + " becomes virtio" + (n.model() != null ? " (was " + n.model() + ")" : "") + ": " + netWhy);
            } else {
                String kept = name + " kept as " + model + (n.model() == null ? " (Xen's default for HVM guests)" : "");
                if (keepNicModel && virtioNics) {
                    notes.add(kept + ": --keep-nic-model");
                } else {
                    notes.add(kept + ": " + (why != null ? why : netWhy + " (no virtio_net driver)"));
                }
            }
        }
        return notes;
    }

    /**
     * The plan with its devices chosen again from what inspection found: disk buses and
     * names, NIC models and the device notes. Output files keep their names, as disks were
     * opened and outputs checked under them.
     */
    public static ConversionPlan apply(ConversionPlan plan, InspectedGuest inspected, boolean keepNicModel) {
        SourceGuest src = plan.source();
        DeviceModelChoice c = of(src, inspected, keepNicModel);
        DeviceMap map = c.deviceMap(src);
        TargetDomain t = plan.target();
        List<DeviceMapping> ms = map.mappings();
        if (ms.size() != t.disks().size()) {
            throw new IllegalStateException("device map and target disagree: " + ms.size() + " vs " + t.disks().size());
        }
        List<TargetDisk> disks = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            TargetDisk d = t.disks().get(i);
            disks.add(new TargetDisk(d.sourcePath(), d.format(), d.blockDevice(), ms.get(i).kvmTarget(), ms.get(i).bus(),
                    d.cdrom(), d.readOnly(), d.shareable()));
        }
        List<DiskCopy> copies = new ArrayList<>();
        for (DiskCopy k : plan.copies()) {
            copies.add(new DiskCopy(k.sourceIndex(), k.sourcePath(), k.sourceFormat(), k.formatDeclared(), k.outputPath(),
                    k.outputFormat(), map.forSourceIndex(k.sourceIndex()).kvmTarget()));
        }
        List<TargetNic> nics = new ArrayList<>();
        for (int i = 0; i < t.nics().size(); i++) {
            TargetNic n = t.nics().get(i);
            nics.add(new TargetNic(n.mac(), n.network(), n.source(), c.nicModel(src.nics().get(i))));
        }
        return plan.withDevices(map, t.withDevices(disks, nics), copies, c.notes(src, map));
    }
}
