package org.xen2kvm.guest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.xen2kvm.JsonStyle;

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

    /** Adds the verdict's fields to a kernel object. */
    public static ObjectNode verdictFields(ObjectNode o, KernelVerdict v) {
        o.put("kvmCapable", v.kvmCapable());
        o.put("virtioBlk", v.virtioBlk().label());
        o.put("virtioNet", v.virtioNet().label());
        o.put("virtioPci", v.virtioPci().label());
        o.put("debug", v.debug());
        o.set("reasons", JsonStyle.strings(v.reasons()));
        return o;
    }

    /** {@code {"release": ..., "kernel": ..., "why": ...}}, release and kernel null when none was chosen. */
    public static ObjectNode choice(KernelChoice c) {
        return JsonStyle.object()
                .put("release", c.chosen() == null ? null : c.chosen().release())
                .put("kernel", c.chosen() == null ? null : c.chosen().kernelPath())
                .put("why", c.why());
    }
}
