package org.xen2kvm.xen;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Xen guest as read from its definition, whatever the format. Fields are null where the
 * definition did not say. {@link #cmdline()} is the effective kernel command line: the
 * {@code cmdline} key if set, else {@code root=<root> <extra>} as xl builds it.
 *
 * @param origin     which reader produced it
 * @param sourceFile the file it was read from, for messages
 * @param bootOrder  HVM boot devices as Xen letters ({@code "cd"}: disk, then CD-ROM)
 * @param serials    serial devices as written ({@code pty}, {@code file:/tmp/x})
 * @param pciDevices passed-through PCI devices as written ({@code 0000:02:00.0})
 * @param warnings   things the reader noticed but tolerated (repeated keys, ignored keys)
 */
public record SourceGuest(
        ConfigFormat origin,
        String sourceFile,
        String name,
        String uuid,
        VirtType virtType,
        Long memoryMiB,
        Long maxMemoryMiB,
        Integer vcpus,
        Integer maxVcpus,
        String kernel,
        String ramdisk,
        String cmdline,
        String root,
        String extra,
        String bootloader,
        String bootloaderArgs,
        String onPoweroff,
        String onReboot,
        String onCrash,
        String bootOrder,
        Boolean acpi,
        Boolean apic,
        Boolean pae,
        Boolean localtime,
        String cpus,
        Integer cpuWeight,
        List<SourceDisk> disks,
        List<SourceNic> nics,
        List<SourceGraphics> graphics,
        List<String> serials,
        List<String> pciDevices,
        List<String> warnings) {

    public SourceGuest {
        disks = List.copyOf(disks);
        nics = List.copyOf(nics);
        graphics = List.copyOf(graphics);
        serials = List.copyOf(serials);
        pciDevices = List.copyOf(pciDevices);
        warnings = List.copyOf(warnings);
    }

    public static Builder builder(ConfigFormat origin, String sourceFile) {
        return new Builder(origin, sourceFile);
    }

    public Builder toBuilder() {
        Builder b = new Builder(origin, sourceFile);
        b.name = name; b.uuid = uuid; b.virtType = virtType; b.memoryMiB = memoryMiB;
        b.maxMemoryMiB = maxMemoryMiB; b.vcpus = vcpus; b.maxVcpus = maxVcpus; b.kernel = kernel;
        b.ramdisk = ramdisk; b.cmdline = cmdline; b.root = root; b.extra = extra;
        b.bootloader = bootloader; b.bootloaderArgs = bootloaderArgs; b.onPoweroff = onPoweroff;
        b.onReboot = onReboot; b.onCrash = onCrash; b.bootOrder = bootOrder; b.acpi = acpi;
        b.apic = apic; b.pae = pae; b.localtime = localtime; b.cpus = cpus; b.cpuWeight = cpuWeight;
        b.disks.addAll(disks); b.nics.addAll(nics); b.graphics.addAll(graphics);
        b.serials.addAll(serials); b.pciDevices.addAll(pciDevices); b.warnings.addAll(warnings);
        return b;
    }

    /** Mutable builder used by the readers; {@link #build()} fills the effective cmdline. */
    public static final class Builder {
        private final ConfigFormat origin;
        private final String sourceFile;
        public String name;
        public String uuid;
        public VirtType virtType;
        public Long memoryMiB;
        public Long maxMemoryMiB;
        public Integer vcpus;
        public Integer maxVcpus;
        public String kernel;
        public String ramdisk;
        public String cmdline;
        public String root;
        public String extra;
        public String bootloader;
        public String bootloaderArgs;
        public String onPoweroff;
        public String onReboot;
        public String onCrash;
        public String bootOrder;
        public Boolean acpi;
        public Boolean apic;
        public Boolean pae;
        public Boolean localtime;
        public String cpus;
        public Integer cpuWeight;
        public final List<SourceDisk> disks = new ArrayList<>();
        public final List<SourceNic> nics = new ArrayList<>();
        public final List<SourceGraphics> graphics = new ArrayList<>();
        public final List<String> serials = new ArrayList<>();
        public final List<String> pciDevices = new ArrayList<>();
        public final List<String> warnings = new ArrayList<>();

        private Builder(ConfigFormat origin, String sourceFile) {
            this.origin = Objects.requireNonNull(origin);
            this.sourceFile = sourceFile;
        }

        public SourceGuest build() {
            String effective = cmdline;
            if (effective == null && (root != null || extra != null)) {
                StringBuilder sb = new StringBuilder();
                if (root != null) {
                    sb.append("root=").append(root);
                }
                if (extra != null) {
                    if (sb.length() > 0) {
                        sb.append(' ');
                    }
                    sb.append(extra);
                }
                effective = sb.toString();
            }
            return new SourceGuest(origin, sourceFile, name, uuid, virtType, memoryMiB, maxMemoryMiB,
                    vcpus, maxVcpus, kernel, ramdisk, effective, root, extra, bootloader, bootloaderArgs,
                    onPoweroff, onReboot, onCrash, bootOrder, acpi, apic, pae, localtime, cpus, cpuWeight,
                    disks, nics, graphics, serials, pciDevices, warnings);
        }
    }
}
