package org.xen2kvm.pipeline;

import org.xen2kvm.plan.BootDecision;

import org.xen2kvm.guest.GuestLayout;
import org.xen2kvm.plan.DeviceMap;
import org.xen2kvm.edit.EditReport;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.libvirt.Registration;
import org.xen2kvm.image.write.OutputSpace;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.xen.SourceGuest;

/** What the steps produce, in the order they produce it. */
public final class Facts {
    /** The Xen guest as its definition describes it. */
    public static final Fact<SourceGuest> SOURCE = new Fact<>("the source guest", SourceGuest.class);
    /** The plan: from the definition first, refined once the guest is inspected. */
    public static final Fact<ConversionPlan> PLAN = new Fact<>("the conversion plan", ConversionPlan.class);
    /** The run marker, held from before the first output is written until the run finished. */
    static final Fact<RunMarker> RUN_MARKER = new Fact<>("the run marker", RunMarker.class);
    /** The guest's disks, opened read-only behind copy-on-write overlays. */
    static final Fact<GuestDisks> DISKS = new Fact<>("the open disks", GuestDisks.class);
    /** The data the disks will write and the free space of the output file system. */
    public static final Fact<OutputSpace> SPACE = new Fact<>("the output space", OutputSpace.class);
    /** The filesystems and swap areas on the disks. */
    static final Fact<GuestLayout> LAYOUT = new Fact<>("the guest's volumes", GuestLayout.class);
    /** The root filesystem as found on the disks (without /boot mounted). */
    static final Fact<GuestFileSystem> ROOT_VOLUME = new Fact<>("the root volume", GuestFileSystem.class);
    /** The root filesystem with the guest's /boot mounted on it. */
    static final Fact<GuestFileSystem> ROOT = new Fact<>("the guest's root", GuestFileSystem.class);
    /** What inspection found in the root filesystem. */
    public static final Fact<InspectedGuest> INSPECTED = new Fact<>("the inspected guest", InspectedGuest.class);
    /** The device map as planned from the definition, before inspection chose the device models. */
    static final Fact<DeviceMap> PLANNED_DEVICES = new Fact<>("the planned device map", DeviceMap.class);
    /** The kernel packages installed into the guest ({@code --install-kernel}). */
    public static final Fact<InstalledKernels> INSTALLED_KERNELS = new Fact<>("the installed kernels",
            InstalledKernels.class);
    /** How the KVM guest boots. */
    static final Fact<BootDecision> BOOT = new Fact<>("the boot decision", BootDecision.class);
    /** The guest edits made in the overlays. */
    public static final Fact<EditReport> EDITS = new Fact<>("the guest edits", EditReport.class);
    /** The libvirt domain XML. */
    public static final Fact<String> DOMAIN_XML = new Fact<>("the domain XML", String.class);
    /** The libvirt transaction that uploads and defines; taken back unless committed. */
    static final Fact<Registration> REGISTRATION = new Fact<>("the libvirt registration", Registration.class);
    /** The domain as registered with libvirt. */
    public static final Fact<Registered> REGISTERED = new Fact<>("the registered domain", Registered.class);

    private Facts() {
    }
}
