package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * Removes caches that remember the guest's Xen device names. Each is rebuilt by its tool on
 * the first boot; kept, they name devices that no longer exist:
 * <ul>
 * <li>{@code /etc/lvm/cache/.cache}: LVM's persistent filter cache (RHEL 5/6), the device
 *     names that passed the filter ({@code /dev/xvda2});</li>
 * <li>{@code /etc/lvm/devices/system.devices}: LVM's devices file (RHEL 9, optional on 8.5+),
 *     which limits LVM to the devices listed by their Xen IDs: with it, no PV is found on
 *     the virtio disks. Without the file LVM scans every device (lvmdevices(8));</li>
 * <li>{@code /etc/blkid.tab}, {@code /etc/blkid/blkid.tab} (and their {@code .old}): libblkid's
 *     cache of labels and UUIDs by device name, which would resolve {@code LABEL=/boot} to
 *     {@code /dev/xvda1} until blkid notices.</li>
 * </ul>
 */
public final class DeviceCachesEdit implements GuestEdit {

    public static final List<String> CACHES = List.of("/etc/lvm/cache/.cache", "/etc/lvm/devices/system.devices",
            "/etc/blkid.tab", "/etc/blkid.tab.old", "/etc/blkid/blkid.tab", "/etc/blkid/blkid.tab.old");

    @Override
    public String name() {
        return "caches";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        for (String path : CACHES) {
            var st = fs.lstat(path);
            if (st.isEmpty()) {
                continue;
            }
            if (st.get().type() != FileType.REGULAR) {
                notes.add(WARNING + path + ": a " + st.get().type() + ", not a file; left in place");
                continue;
            }
            fs.delete(path);
            notes.add(path + ": removed (it names the Xen devices; rebuilt on the first boot)");
        }
        return notes;
    }
}
