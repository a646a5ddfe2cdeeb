package org.xen2kvm.plan;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.plan.DeviceMap;
import org.xen2kvm.plan.DeviceMapping;
import org.xen2kvm.plan.KernelCmdline;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGraphics;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceNic;
import org.xen2kvm.xen.VirtType;
import org.xen2kvm.kvm.DirectBoot;
import org.xen2kvm.kvm.TargetDisk;
import org.xen2kvm.kvm.TargetDomain;
import org.xen2kvm.kvm.TargetGraphics;
import org.xen2kvm.kvm.TargetNic;

/**
 * Decides, from the Xen definition alone, what the KVM guest looks like. Guest inspection
 * may later refine the boot strategy (a kernel from the guest's own /boot, missing GRUB
 * boot code) and move an HVM guest's devices to virtio ({@link DeviceModelChoice}); everything
 * else is settled here.
 */
public final class ConversionPlanner {
    /** xl's default memory when the config names none (xl.cfg "memory"). */
    private static final long XL_DEFAULT_MEMORY_MIB = 128;
    private static final String DEFAULT_BRIDGE = "xenbr0";
    private static final String MACHINE = "pc";

    private ConversionPlanner() {
    }

    /**
     * Plans the conversion of {@code guest}.
     *
     * @throws Xen2KvmException when the definition cannot become a KVM guest (no name,
     *                          undecodable vdevs, no disks)
     */
    public static ConversionPlan plan(SourceGuest guest, PlanOptions options) {
        List<String> warnings = new ArrayList<>(guest.warnings());
        String name = options.nameOverride() != null ? options.nameOverride() : guest.name();
        if (name == null || name.isBlank()) {
            throw new Xen2KvmException(guest.sourceFile() + ": the guest has no name; give one with --name");
        }
        // Before inspection nothing is known of the guest's drivers: HVM devices stay emulated.
        DeviceModelChoice choice = DeviceModelChoice.of(guest, null, options.keepNicModel());
        DeviceMap map = choice.deviceMap(guest);
        warnings.addAll(map.warnings());
        List<String> deviceNotes = choice.notes(guest, map);
        warnings.addAll(deviceNotes);

        List<DiskCopy> copies = new ArrayList<>();
        List<TargetDisk> disks = new ArrayList<>();
        OutputNames names = new OutputNames(options.outputDir(), name);
        OutputFormat format = options.outputFormat();
        String ext = format.label();
        for (DeviceMapping m : map.mappings()) {
            SourceDisk d = guest.disks().get(m.sourceIndex());
            if (m.cdrom()) {
                disks.add(new TargetDisk(d.path(), "raw", d.blockDevice(), m.kvmTarget(), m.bus(), true, true, false));
                continue;
            }
            if (d.path() == null || d.path().isBlank()) {
                throw new Xen2KvmException(guest.sourceFile() + ": disk " + d.vdev() + " has no source path");
            }
            Path out = names.disk(m.kvmTarget(), ext);
            copies.add(new DiskCopy(m.sourceIndex(), d.path(), d.format(), d.formatDeclared(), out, format, m.kvmTarget()));
            if (d.shareable()) {
                warnings.add("disk " + d.vdev() + " was shared (w!) on Xen; the KVM copy is private to this guest");
            }
            disks.add(new TargetDisk(out.toString(), ext, false, m.kvmTarget(), m.bus(), false, d.readOnly(), false));
        }
        if (copies.isEmpty()) {
            warnings.add("the guest has no disks to copy");
        }

        BootStrategy boot;
        String bootNote;
        DirectBoot direct = null;
        List<String> bootDevices = new ArrayList<>();
        if (guest.virtType() != VirtType.HVM && guest.kernel() != null && !isPvGrub(guest.kernel())) {
            boot = BootStrategy.DIRECT_KERNEL;
            String cmdline = KernelCmdline.convert(guest.cmdline() == null ? "" : guest.cmdline(), map);
            direct = new DirectBoot(names.kernel().toString(),
                    guest.ramdisk() == null ? null : names.initrd().toString(),
                    cmdline);
            bootNote = "direct kernel boot: the Xen guest was booted by dom0 with kernel " + guest.kernel()
                    + "; a kernel and initrd from the guest's own /boot are preferred when found";
        } else if (guest.virtType() == VirtType.HVM) {
            boot = BootStrategy.GUEST_BOOTLOADER;
            bootDevices.addAll(bootOrder(guest.bootOrder(), warnings));
            bootNote = "HVM guest: boots from its own disk as on Xen (order " + String.join(",", bootDevices) + ")";
        } else {
            boot = BootStrategy.GUEST_BOOTLOADER;
            bootDevices.add("hd");
            bootNote = guest.bootloader() != null
                    ? "the guest's own bootloader (it was booted by " + guest.bootloader()
                      + " on Xen); falls back to direct kernel boot if the disk has no boot code"
                    : "the guest's own bootloader";
        }

        List<TargetNic> nics = new ArrayList<>();
        for (SourceNic n : guest.nics()) {
            nics.add(nic(n, choice.nicModel(n), options, warnings));
        }
        List<TargetGraphics> graphics = new ArrayList<>();
        for (SourceGraphics g : guest.graphics()) {
            if ("vnc".equals(g.type()) || "spice".equals(g.type())) {
                graphics.add(new TargetGraphics(g.type(), g.listen(), g.port(), g.password(), g.keymap()));
            } else {
                warnings.add("graphics type " + g.type() + " has no libvirt/KVM equivalent here and is dropped");
            }
        }
        if (!guest.pciDevices().isEmpty()) {
            warnings.add("PCI passthrough devices " + guest.pciDevices() + " are not carried over; attach them on the KVM host");
        }

        long memMiB = guest.memoryMiB() != null ? guest.memoryMiB() : XL_DEFAULT_MEMORY_MIB;
        if (guest.memoryMiB() == null) {
            warnings.add("no memory size in the Xen definition; using xl's default of " + XL_DEFAULT_MEMORY_MIB + " MiB");
        }
        long maxMiB = guest.maxMemoryMiB() != null ? Math.max(guest.maxMemoryMiB(), memMiB) : memMiB;
        int vcpus = guest.vcpus() != null ? guest.vcpus() : 1;
        int maxVcpus = guest.maxVcpus() != null ? Math.max(guest.maxVcpus(), vcpus) : vcpus;

        String uuid = normalizeUuid(guest, name, warnings);
        boolean hvm = guest.virtType() == VirtType.HVM;
        TargetDomain target = new TargetDomain(
                name, uuid, options.domainType(),
                Math.multiplyExact(maxMiB, 1024L), Math.multiplyExact(memMiB, 1024L), maxVcpus, vcpus,
                MACHINE, bootDevices, direct,
                !hvm || guest.acpi() == null || guest.acpi(),
                !hvm || guest.apic() == null || guest.apic(),
                guest.localtime() != null && guest.localtime(),
                action("on_poweroff", guest.onPoweroff(), "destroy", false, warnings),
                action("on_reboot", guest.onReboot(), "restart", false, warnings),
                action("on_crash", guest.onCrash(), "destroy", true, warnings),
                disks, nics, graphics,
                "Converted from Xen " + (guest.virtType() == null ? "pv" : guest.virtType().label()) + " guest "
                        + fileName(guest.sourceFile()) + " by xen2kvm");
        return new ConversionPlan(guest, map, target, copies, boot, bootNote, warnings, deviceNotes);
    }

    private static boolean isPvGrub(String kernel) {
        return kernel.contains("pv-grub") || kernel.contains("pvgrub") || kernel.endsWith("hvmloader");
    }

    private static List<String> bootOrder(String xenOrder, List<String> warnings) {
        List<String> out = new ArrayList<>();
        String order = xenOrder == null || xenOrder.isBlank() ? "cd" : xenOrder;
        for (char c : order.toLowerCase(Locale.ROOT).toCharArray()) {
            String dev = switch (c) {
                case 'a' -> "fd";
                case 'c' -> "hd";
                case 'd' -> "cdrom";
                case 'n' -> "network";
                default -> null;
            };
            if (dev == null) {
                warnings.add("unknown boot device letter '" + c + "' in boot=\"" + xenOrder + "\" ignored");
            } else if (!out.contains(dev)) {
                out.add(dev);
            }
        }
        if (out.isEmpty()) {
            out.add("hd");
        }
        return out;
    }

    private static TargetNic nic(SourceNic n, String model, PlanOptions options, List<String> warnings) {
        String bridge = n.bridge() != null ? n.bridge() : DEFAULT_BRIDGE;
        if (n.mac() == null) {
            warnings.add("a NIC on " + bridge + " has no MAC on Xen; libvirt will pick one and the guest may rename its interface");
        }
        if (options.networkMap().containsKey(bridge)) {
            return new TargetNic(n.mac(), true, options.networkMap().get(bridge), model);
        }
        return new TargetNic(n.mac(), false, options.bridgeMap().getOrDefault(bridge, bridge), model);
    }

    /** Xen lifecycle actions to libvirt's QEMU driver, which lacks some of them. */
    private static String action(String key, String xen, String xenDefault, boolean crash, List<String> warnings) {
        String a = xen == null ? xenDefault : xen.toLowerCase(Locale.ROOT);
        switch (a) {
            case "destroy":
            case "restart":
                return a;
            case "rename-restart":
                warnings.add(key + "=rename-restart is not supported by KVM; using restart");
                return "restart";
            case "preserve":
                if (crash) {
                    return a;
                }
                warnings.add(key + "=preserve is not supported by KVM; using destroy");
                return "destroy";
            case "coredump-destroy":
            case "coredump-restart":
                if (crash) {
                    return a;
                }
                warnings.add(key + "=" + a + " only applies to crashes; using destroy");
                return "destroy";
            case "soft-reset":
                warnings.add(key + "=soft-reset has no KVM equivalent; using restart");
                return "restart";
            default:
                warnings.add(key + "=" + xen + " is not a Xen action; using " + xenDefault);
                return xenDefault;
        }
    }

    private static String normalizeUuid(SourceGuest guest, String name, List<String> warnings) {
        String u = guest.uuid();
        if (u != null) {
            String hex = u.replace("-", "").toLowerCase(Locale.ROOT);
            if (hex.matches("[0-9a-f]{32}")) {
                return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                        + hex.substring(16, 20) + "-" + hex.substring(20);
            }
            warnings.add("uuid '" + u + "' is not a UUID; deriving one from the name");
        }
        // Name-derived, so a re-run of the same conversion produces the same domain.
        return UUID.nameUUIDFromBytes(("xen2kvm:" + name).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String fileName(String path) {
        if (path == null) {
            return "(unknown)";
        }
        int i = path.lastIndexOf('/');
        return i >= 0 ? path.substring(i + 1) : path;
    }
}
