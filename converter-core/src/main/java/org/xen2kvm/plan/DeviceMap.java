package org.xen2kvm.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGuest;

/**
 * Maps every Xen disk to a KVM target and translates the guest's device paths.
 *
 * <p>Disks become virtio-blk in Xen order ({@code vda}, {@code vdb}, ...): libvirt gives them
 * PCI slots in that order, so the guest enumerates them the same way. An HVM guest not known
 * to have virtio drivers keeps emulated disks instead (see {@link #of(SourceGuest, boolean)}). CD-ROMs go on IDE
 * ({@code hdc}, {@code hdd}, ...) because every guest kernel, however old, drives it.
 * A partition attached as a whole disk ({@code xvda2}, as xen-tools does) becomes a disk
 * of its own, and the guest's {@code /dev/xvda2} is translated to that disk.
 */
public final class DeviceMap {
    private static final Pattern GUEST_DEVICE = Pattern.compile("/dev/((?:xvd|hd|sd)[a-z]{1,3})([0-9]{0,3})(?![a-z0-9])");
    private static final String[] CDROM_TARGETS = {"hdc", "hdd", "hda", "hdb"};
    /** The two IDE channels' master and slave, as libvirt and old Linux kernels name them. */
    private static final String[] IDE_SLOTS = {"hda", "hdb", "hdc", "hdd"};

    private final List<DeviceMapping> mappings;
    private final List<String> warnings;

    private DeviceMap(List<DeviceMapping> mappings, List<String> warnings) {
        this.mappings = List.copyOf(mappings);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Builds the map for a guest whose disks all go on virtio: a PV guest, or an HVM guest
     * known to have the drivers.
     *
     * @throws Xen2KvmException when two disks claim the same vdev, a vdev cannot be decoded,
     *                          or there are more CD-ROMs than IDE slots
     */
    public static DeviceMap of(SourceGuest guest) {
        return of(guest, true);
    }

    /**
     * Builds the map for a guest.
     *
     * @param virtioDisks false: the disks keep the bus Xen emulated for an HVM guest, IDE for
     *                    {@code hdX} and {@code xvdX} (the guest's {@code /dev/hda} stays {@code hda}),
     *                    SATA for {@code sdX} and for disks the four IDE slots cannot hold
     * @throws Xen2KvmException when two disks claim the same vdev, a vdev cannot be decoded,
     *                          or there are more CD-ROMs than IDE slots
     */
    public static DeviceMap of(SourceGuest guest, boolean virtioDisks) {
        List<DeviceMapping> out = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<XenVdev> vdevs = new ArrayList<>();
        for (int i = 0; i < guest.disks().size(); i++) {
            SourceDisk d = guest.disks().get(i);
            if (d.vdev() != null && d.vdev().matches("fd[a-z]")) {
                warnings.add("floppy " + d.vdev() + " (" + d.path() + ") is not carried over; attach it by hand if needed");
                vdevs.add(null);
                continue;
            }
            XenVdev vdev = XenVdev.parse(d.vdev()).orElseThrow(() -> new Xen2KvmException(
                    guest.sourceFile() + ": disk " + d.vdev() + " (" + d.path()
                            + "): not a Xen device name (expected xvdX, hdX, sdX, a partition of one, or a numeric id)"));
            if (!seen.add(vdev.name())) {
                throw new Xen2KvmException(guest.sourceFile() + ": disk " + d.vdev()
                        + " is attached twice; each vdev may appear once");
            }
            vdevs.add(vdev);
        }
        // Emulated disks named hdX keep their IDE slot, as the guest knows them by it.
        Set<String> ide = new LinkedHashSet<>();
        if (!virtioDisks) {
            for (int i = 0; i < vdevs.size(); i++) {
                XenVdev v = vdevs.get(i);
                if (v != null && !guest.disks().get(i).cdrom() && v.prefix().equals("hd") && !v.isPartition()
                        && v.disk() < IDE_SLOTS.length) {
                    ide.add(IDE_SLOTS[v.disk()]);
                }
            }
        }
        int nextDisk = 0;
        int nextSata = 0;
        for (int i = 0; i < guest.disks().size(); i++) {
            SourceDisk d = guest.disks().get(i);
            XenVdev vdev = vdevs.get(i);
            if (vdev == null) {
                continue;
            }
            if (d.cdrom()) {
                String slot = null;
                for (String t : CDROM_TARGETS) {
                    if (!ide.contains(t)) {
                        slot = t;
                        break;
                    }
                }
                if (slot == null) {
                    throw new Xen2KvmException(guest.sourceFile() + ": more disks and CD-ROMs than the "
                            + IDE_SLOTS.length + " IDE slots; no room for CD-ROM " + d.vdev());
                }
                ide.add(slot);
                out.add(new DeviceMapping(i, d.vdev(), slot, "ide", true, false));
            } else if (virtioDisks) {
                String target = "vd" + XenVdev.letters(nextDisk++);
                out.add(new DeviceMapping(i, d.vdev(), target, "virtio", false, vdev.isPartition()));
            } else {
                out.add(null);
            }
        }
        if (!virtioDisks) {
            // Second pass: emulated disks after the CD-ROMs took theirs, in Xen order.
            int k = 0;
            for (int i = 0; i < guest.disks().size(); i++) {
                SourceDisk d = guest.disks().get(i);
                XenVdev vdev = vdevs.get(i);
                if (vdev == null || d.cdrom()) {
                    if (vdev != null) {
                        k++;
                    }
                    continue;
                }
                String target = null;
                if (vdev.prefix().equals("hd") && !vdev.isPartition() && vdev.disk() < IDE_SLOTS.length) {
                    target = IDE_SLOTS[vdev.disk()];
                } else if (!vdev.prefix().equals("sd")) {
                    for (String t : IDE_SLOTS) {
                        if (!ide.contains(t)) {
                            target = t;
                            break;
                        }
                    }
                }
                if (target != null) {
                    ide.add(target);
                    out.set(k++, new DeviceMapping(i, d.vdev(), target, "ide", false, vdev.isPartition()));
                } else {
                    out.set(k++, new DeviceMapping(i, d.vdev(), "sd" + XenVdev.letters(nextSata++), "sata", false,
                            vdev.isPartition()));
                }
            }
        }
        return new DeviceMap(out, warnings);
    }

    public List<DeviceMapping> mappings() {
        return mappings;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** The mapping of the source disk at {@code index}. */
    public DeviceMapping forSourceIndex(int index) {
        for (DeviceMapping m : mappings) {
            if (m.sourceIndex() == index) {
                return m;
            }
        }
        throw new IllegalArgumentException("no disk " + index);
    }

    /**
     * Translates a guest device path as the guest saw it on Xen ({@code /dev/xvda1},
     * {@code /dev/xvda2} for a partition-as-disk, {@code /dev/sda1} for a PV {@code sda} vdev
     * which newer kernels also call {@code xvda}) into the path the guest sees on KVM.
     * Empty when the path names no device of this guest.
     */
    public Optional<String> translate(String guestPath) {
        Matcher m = GUEST_DEVICE.matcher(guestPath);
        if (!m.matches()) {
            return Optional.empty();
        }
        Optional<XenVdev> seen = XenVdev.parse(m.group(1) + m.group(2));
        if (seen.isEmpty()) {
            return Optional.empty();
        }
        XenVdev v = seen.get();
        // Exact vdev first (a partition-as-disk such as xvda2), then its disk.
        for (DeviceMapping dm : mappings) {
            XenVdev x = XenVdev.parse(dm.xenVdev()).orElseThrow();
            if (sameDevice(x, v) && x.partition() == v.partition()) {
                return Optional.of(dm.kvmGuestPath());
            }
        }
        for (DeviceMapping dm : mappings) {
            XenVdev x = XenVdev.parse(dm.xenVdev()).orElseThrow();
            if (!x.isPartition() && sameDevice(x, v)) {
                return Optional.of(dm.kvmGuestPath() + (v.partition() > 0 ? Integer.toString(v.partition()) : ""));
            }
        }
        return Optional.empty();
    }

    /** Same disk letter, and either the same prefix or the guest used the xvd alias. */
    private static boolean sameDevice(XenVdev configured, XenVdev guestName) {
        return configured.disk() == guestName.disk()
                && (configured.prefix().equals(guestName.prefix()) || guestName.prefix().equals("xvd")
                    || configured.prefix().equals("xvd"));
    }

    /** Replaces every guest device path in {@code text} that this map translates. */
    public String translateAll(String text) {
        Matcher m = GUEST_DEVICE.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String found = m.group();
            m.appendReplacement(sb, Matcher.quoteReplacement(translate(found).orElse(found)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * The path a KVM device of {@code before} ({@code /dev/hda1}) has in this map
     * ({@code /dev/vda1}): the same source disk, same partition. Unchanged when
     * {@code before} does not know it.
     */
    public String follow(String kvmPath, DeviceMap before) {
        for (DeviceMapping m : before.mappings) {
            String old = m.kvmGuestPath();
            if (kvmPath.startsWith(old) && kvmPath.substring(old.length()).matches("[0-9]*")) {
                for (DeviceMapping n : mappings) {
                    if (n.sourceIndex() == m.sourceIndex()) {
                        return n.kvmGuestPath() + kvmPath.substring(old.length());
                    }
                }
            }
        }
        return kvmPath;
    }

    /** {@link #follow} applied to the keys of a map keyed by KVM device path, keeping its order. */
    public java.util.Map<String, String> followAll(java.util.Map<String, String> byPath, DeviceMap before) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        byPath.forEach((k, v) -> out.put(follow(k, before), v));
        return out;
    }

    /** The mappings of plain disks (no CD-ROMs), in target order. */
    public List<DeviceMapping> disks() {
        List<DeviceMapping> l = new ArrayList<>();
        for (DeviceMapping m : mappings) {
            if (!m.cdrom()) {
                l.add(m);
            }
        }
        return Collections.unmodifiableList(l);
    }
}
