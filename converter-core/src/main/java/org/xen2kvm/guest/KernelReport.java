package org.xen2kvm.guest;

import org.xen2kvm.json.JsonWriter;

/**
 * Kernel verdicts and the choice, as {@code inspect} and {@code convert --dry-run} show them:
 * one line of text per kernel, and the JSON fields documented in {@code docs/inspect-json.md}.
 */
public final class KernelReport {
    private KernelReport() {
    }

    /** {@code KVM: yes; virtio_blk module, virtio_net module, virtio_pci builtin} or {@code KVM: no: <reasons>}. */
    public static String verdictLine(KernelVerdict v) {
        String drivers = "virtio_blk " + v.virtioBlk().label() + ", virtio_net " + v.virtioNet().label()
                + ", virtio_pci " + v.virtioPci().label();
        if (!v.kvmCapable()) {
            return "KVM: no: " + String.join("; ", v.reasons());
        }
        return "KVM: yes; " + drivers + (v.reasons().isEmpty() ? "" : "; " + String.join("; ", v.reasons()));
    }

    /** {@code 6.1.0-18-amd64 (the default boot entry's kernel, ...)} or {@code none (why)}. */
    public static String choiceLine(KernelChoice c) {
        return (c.chosen() == null ? "none" : c.chosen().release()) + " (" + c.why() + ")";
    }

    /** The verdict's fields, inside a kernel object that is already open. */
    public static void verdictFields(JsonWriter w, KernelVerdict v) {
        w.name("kvmCapable").value(v.kvmCapable());
        w.name("virtioBlk").value(v.virtioBlk().label());
        w.name("virtioNet").value(v.virtioNet().label());
        w.name("virtioPci").value(v.virtioPci().label());
        w.name("debug").value(v.debug());
        w.name("reasons").beginArray();
        v.reasons().forEach(w::value);
        w.endArray();
    }

    /** {@code {"release": ..., "kernel": ..., "why": ...}}, release and kernel null when none was chosen. */
    public static void choice(JsonWriter w, KernelChoice c) {
        w.beginObject();
        w.name("release").value(c.chosen() == null ? null : c.chosen().release());
        w.name("kernel").value(c.chosen() == null ? null : c.chosen().kernelPath());
        w.name("why").value(c.why());
        w.endObject();
    }
}
