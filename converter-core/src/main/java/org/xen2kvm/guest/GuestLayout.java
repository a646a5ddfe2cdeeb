package org.xen2kvm.guest;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.lvm.LogicalVolume;
import org.xen2kvm.lvm.LvmFormatException;
import org.xen2kvm.lvm.LvmLayout;
import org.xen2kvm.lvm.LvmNames;
import org.xen2kvm.lvm.LvmScanner;
import org.xen2kvm.lvm.PvLabelReader;
import org.xen2kvm.lvm.UnsupportedLvmException;
import org.xen2kvm.lvm.VolumeGroup;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.fs.SwapSpace;
import org.xen2kvm.fs.ext.ExtFileSystem;
import org.xen2kvm.partition.Partition;
import org.xen2kvm.partition.PartitionTable;

/**
 * The filesystems and swap areas found on the guest's disks, each named by the device path
 * the guest will see on KVM ({@code /dev/vda1}, or {@code /dev/vdb} for a partition that
 * Xen attached as a whole disk). Filesystems are opened writable over the overlays.
 */
public final class GuestLayout implements Closeable {
    /** A filesystem or swap area. {@code fs} is null for swap. */
    public record Volume(String kvmPath, BlockDevice device, GuestFileSystem fs, String uuid) {
    }

    private final List<Volume> volumes;
    private final Map<String, PartitionTable> tables;
    private final List<String> ntfs;
    private final List<String> warnings;
    private final LvmInventory lvm;

    private GuestLayout(List<Volume> volumes, Map<String, PartitionTable> tables, List<String> ntfs,
                        List<String> warnings, LvmInventory lvm) {
        this.volumes = volumes;
        this.tables = tables;
        this.ntfs = ntfs;
        this.warnings = warnings;
        this.lvm = lvm;
    }

    /**
     * Finds the volumes on the guest's disks.
     *
     * @param disks each disk by the path the KVM guest will see ({@code /dev/vda}), in order,
     *              as the overlay that takes edits
     */
    public static GuestLayout discover(Map<String, BlockDevice> disks) throws IOException {
        List<Volume> volumes = new ArrayList<>();
        Map<String, PartitionTable> tables = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        List<String> ntfs = new ArrayList<>();
        Map<BlockDevice, String> physicalVolumes = new java.util.IdentityHashMap<>();
        LvmInventory lvm;
        try {
            for (Map.Entry<String, BlockDevice> d : disks.entrySet()) {
                String diskPath = d.getKey();
                BlockDevice overlay = d.getValue();
                Optional<PartitionTable> table = ExtFileSystem.probe(overlay)
                        ? Optional.empty() : PartitionTable.read(overlay);
                if (table.isPresent()) {
                    tables.put(diskPath, table.get());
                    for (Partition p : table.get().partitions()) {
                        volume(diskPath + p.number(), table.get().open(overlay, p), volumes, ntfs, physicalVolumes,
                                warnings);
                    }
                } else {
                    volume(diskPath, overlay, volumes, ntfs, physicalVolumes, warnings);
                }
            }
            lvm = logicalVolumes(physicalVolumes, volumes, warnings);
        } catch (IOException | RuntimeException e) {
            for (Volume v : volumes) {
                if (v.fs() != null) {
                    try {
                        v.fs().close();
                    } catch (IOException x) {
                        e.addSuppressed(x);
                    }
                }
            }
            throw e;
        }
        return new GuestLayout(volumes, tables, ntfs, warnings, lvm);
    }

    private static void volume(String path, BlockDevice dev, List<Volume> out, List<String> ntfs,
                               Map<BlockDevice, String> physicalVolumes, List<String> warnings) throws IOException {
        if (ExtFileSystem.probe(dev)) {
            ExtFileSystem fs;
            try {
                fs = ExtFileSystem.open(dev, true);
            } catch (org.xen2kvm.fs.FileSystemException e) {
                // Still worth reading (inspection); edits to it will be refused.
                fs = ExtFileSystem.open(dev, false);
                warnings.add(path + " opened read-only: " + e.getMessage());
            }
            out.add(new Volume(path, dev, fs, fs.info().uuid()));
            return;
        }
        Optional<String> swap = SwapSpace.uuid(dev);
        if (swap.isPresent()) {
            out.add(new Volume(path, dev, null, swap.get()));
        } else if (NtfsProbe.isNtfs(dev)) {
            ntfs.add(path);
        } else if (PvLabelReader.read(dev).isPresent()) {
            physicalVolumes.put(dev, path);
        }
    }

    /**
     * The filesystems and swap areas on the LVs of the guest's volume groups, named
     * {@code /dev/VG/LV} (names do not change on KVM). What the LVM reader does not handle (thin
     * pools, snapshots, RAID, a PV on none of the guest's disks) is named in a warning: its data
     * is still copied, but nothing in it is inspected or edited; it is also a refusal of the
     * returned inventory, which stops a conversion that would edit the guest.
     */
    private static LvmInventory logicalVolumes(Map<BlockDevice, String> physicalVolumes, List<Volume> out,
                                               List<String> warnings) throws IOException {
        if (physicalVolumes.isEmpty()) {
            return LvmInventory.NONE;
        }
        LvmLayout lvm;
        try {
            // In disk order, so the first VG found is on the first disk.
            lvm = LvmScanner.scan(List.copyOf(physicalVolumes.keySet().stream()
                    .sorted(java.util.Comparator.comparing(physicalVolumes::get, GuestLayout::byDiskOrder)).toList()));
        } catch (LvmFormatException | UnsupportedLvmException e) {
            warnings.add("LVM: " + e.getMessage() + "; the volumes on it are copied but not inspected or edited");
            return new LvmInventory(List.of(), List.of(new LvmInventory.Refusal("LVM", e.getMessage())));
        }
        lvm.warnings().forEach(w -> warnings.add("LVM: " + w));
        List<LvmInventory.Group> groups = new ArrayList<>();
        List<LvmInventory.Refusal> refusals = new ArrayList<>();
        for (VolumeGroup vg : lvm.volumeGroups()) {
            Map<String, String> contents = new LinkedHashMap<>();
            for (LogicalVolume lv : vg.logicalVolumes().values()) {
                if (!lv.isVisible()) {
                    continue;
                }
                Optional<String> why = vg.unsupportedReason(lv);
                if (why.isPresent()) {
                    warnings.add("LV " + vg.name() + "/" + lv.name() + " " + why.get()
                            + "; it is copied but not inspected or edited");
                    refusals.add(new LvmInventory.Refusal(vg.name() + "/" + lv.name(), why.get()));
                    continue;
                }
                String path = LvmNames.devPath(vg.name(), lv.name());
                int before = out.size();
                volume(path, vg.openVolume(lv.name()), out, new ArrayList<>(), new java.util.IdentityHashMap<>(),
                        warnings);
                if (out.size() > before) {
                    Volume v = out.get(before);
                    contents.put(path, v.fs() == null ? "swap"
                            : v.fs() instanceof ExtFileSystem e ? e.type() : "filesystem");
                }
            }
            groups.add(LvmInventory.group(vg, physicalVolumes, contents));
        }
        return new LvmInventory(groups, refusals);
    }

    /** {@code /dev/vda2} before {@code /dev/vda10} before {@code /dev/vdb}. */
    private static int byDiskOrder(String a, String b) {
        String da = a.replaceAll("[0-9]+$", "");
        String db = b.replaceAll("[0-9]+$", "");
        if (!da.equals(db)) {
            return da.compareTo(db);
        }
        return Long.compare(a.length() == da.length() ? -1 : Long.parseLong(a.substring(da.length())),
                b.length() == db.length() ? -1 : Long.parseLong(b.substring(db.length())));
    }

    /** The LVM2 layout (volume groups, PVs, LVs) and what of it is refused; {@link LvmInventory#NONE} without LVM. */
    public LvmInventory lvm() {
        return lvm;
    }

    /** The first NTFS volume ({@code /dev/hda1}): a Windows guest, when no Linux root is found. */
    public Optional<String> ntfsVolume() {
        return ntfs.stream().findFirst();
    }

    public List<Volume> volumes() {
        return volumes;
    }

    /** Each volume as {@code /dev/vda1 ext4 ... UUID=...}, for {@code inspect}. */
    public List<String> descriptions() {
        List<String> l = new ArrayList<>();
        for (Volume v : volumes) {
            l.add(v.kvmPath() + (v.fs() == null ? " swap" : " " + v.fs().describe())
                    + (v.uuid() != null ? " UUID=" + v.uuid() : ""));
        }
        return l;
    }

    public List<GuestFileSystem> filesystems() {
        List<GuestFileSystem> l = new ArrayList<>();
        for (Volume v : volumes) {
            if (v.fs() != null) {
                l.add(v.fs());
            }
        }
        return l;
    }

    public Optional<Volume> volumeOf(GuestFileSystem fs) {
        return volumes.stream().filter(v -> v.fs() == fs).findFirst();
    }

    /**
     * The filesystem an fstab spec names: {@code UUID=}, {@code LABEL=}, a
     * {@code /dev/disk/by-*} link, or a Xen device name translated through the device map.
     */
    public Optional<GuestFileSystem> resolve(String spec, Function<String, Optional<String>> xenToKvm) {
        String s = spec.trim();
        for (Volume v : volumes) {
            if (v.fs() == null) {
                continue;
            }
            String label = v.fs() instanceof ExtFileSystem e ? e.info().label() : "";
            boolean match;
            if (s.startsWith("UUID=") || s.startsWith("/dev/disk/by-uuid/")) {
                String uuid = s.substring(s.startsWith("UUID=") ? 5 : "/dev/disk/by-uuid/".length());
                match = v.uuid() != null && v.uuid().equalsIgnoreCase(uuid);
            } else if (s.startsWith("LABEL=") || s.startsWith("/dev/disk/by-label/")) {
                match = !label.isEmpty() && label.equals(s.substring(s.startsWith("LABEL=") ? 6 : "/dev/disk/by-label/".length()));
            } else {
                // An LV keeps its name (/dev/VG/LV, or /dev/mapper/VG-LV); a Xen device is translated.
                match = v.kvmPath().equals(LvmNames.canonical(s))
                        || xenToKvm.apply(s).map(v.kvmPath()::equals).orElse(false);
            }
            if (match) {
                return Optional.of(v.fs());
            }
        }
        return Optional.empty();
    }

    /**
     * The root filesystem with the guest's {@code /boot} mounted on it when fstab puts
     * {@code /boot} on a filesystem of its own (RHEL and SLES do), so kernels and the
     * bootloader configuration are found where the guest sees them.
     */
    public GuestFileSystem mountBoot(GuestFileSystem root, Function<String, Optional<String>> xenToKvm,
                                     List<String> warnings) throws IOException {
        Optional<String> text = TextFiles.read(root, "/etc/fstab");
        if (text.isEmpty()) {
            return root;
        }
        FstabEntry boot = Fstab.parse("/etc/fstab", text.get()).at("/boot");
        if (boot == null) {
            return root;
        }
        Optional<GuestFileSystem> fs = resolve(boot.spec(), xenToKvm);
        if (fs.isEmpty() || fs.get() == root) {
            warnings.add("fstab mounts /boot from " + boot.spec() + ", which is on none of the guest's disks;"
                    + " kernels and bootloader files there are not seen");
            return root;
        }
        return new MountedGuest(root, Map.of("/boot", fs.get()));
    }

    /**
     * The partition table of the disk the BIOS boots for a root on {@code rootVolume}: the
     * root's own disk, or for a root on an LV (which has no disk of its own) the first disk.
     */
    public Optional<PartitionTable> bootDiskTable(String rootVolume) {
        Optional<PartitionTable> own = table(rootVolume.replaceAll("[0-9]+$", ""));
        if (own.isPresent() || !LvmNames.isDevPath(rootVolume)) {
            return own;
        }
        return tables.values().stream().findFirst();
    }

    /** The partition table of a KVM disk ({@code /dev/vda}), when it has one. */
    public Optional<PartitionTable> table(String kvmDiskPath) {
        return Optional.ofNullable(tables.get(kvmDiskPath));
    }

    /** KVM device path to filesystem or swap UUID. */
    public Map<String, String> uuids() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Volume v : volumes) {
            if (v.uuid() != null) {
                m.put(v.kvmPath(), v.uuid());
            }
        }
        return m;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** Flushes and closes every filesystem, so their metadata lands in the overlays. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Volume v : volumes) {
            if (v.fs() != null) {
                try {
                    v.fs().close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
