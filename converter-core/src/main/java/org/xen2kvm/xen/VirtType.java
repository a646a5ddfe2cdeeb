package org.xen2kvm.xen;

/** How the Xen guest was virtualised. */
public enum VirtType {
    PV("pv"), HVM("hvm"), PVH("pvh");

    private final String label;

    VirtType(String label) {
        this.label = label;
    }

    /** The lower-case name used in configs and JSON reports. */
    public String label() {
        return label;
    }
}
