package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.FstabEntry;
import org.xen2kvm.guest.InitrdCache;
import org.xen2kvm.guest.InitrdListing;
import org.xen2kvm.guest.VirtioDrivers;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.guest.KernelInfo;
import org.xen2kvm.initramfs.InitramfsFormatException;
import org.xen2kvm.initramfs.InitramfsLimits;
import org.xen2kvm.kernel.InitramfsRefusedException;
import org.xen2kvm.kernel.VirtioInitramfs;
import org.xen2kvm.kmod.ModuleFormatException;
import org.xen2kvm.guest.OsFamily;
import org.xen2kvm.guest.TextFiles;

/**
 * Makes each kernel's initrd boot on KVM, and says so: {@link VirtioInitramfs#ensure} rebuilds the
 * initrd of every kernel that can boot on KVM (the one the guest will boot first) when it lacks
 * the virtio, root filesystem or device-mapper modules, or names a Xen disk in its settings
 * (initramfs-tools {@code MODULES=dep}/{@code list}, dracut host-only, mkinitrd on Xen,
 * {@code RESUME=/dev/xvda2}). What cannot be rebuilt is refused with the reason and then judged,
 * without changing anything, as before: virtio_blk built into the kernel ({@code modules.builtin},
 * {@code /boot/config-*}), then in the initrd ({@link InitrdListing}: every compression the
 * kernel unpacks but lzo), and when neither tells (an initrd that cannot be read) the initrd
 * generator's configuration:
 * Debian's initramfs-tools with {@code MODULES=most} (the default) includes virtio_blk,
 * {@code MODULES=dep} includes only the drivers of the Xen host it was built on; RHEL5's
 * {@code mkinitrd} includes what {@code modprobe.conf} names; dracut's host-only mode
 * (default since RHEL7) includes only the running drivers; SUSE's mkinitrd reads
 * {@code INITRD_MODULES}.
 */
public final class InitramfsCheck implements GuestEdit {
    private static final Pattern ASSIGN = Pattern.compile("^\\s*([A-Za-z_]+)\\s*\\+?=\\s*[\"']?([^\"'#]*)[\"']?");

    @Override
    public String name() {
        return "initramfs";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        InspectedGuest g = ctx.guest();
        List<KernelInfo> bootable = new ArrayList<>();
        for (KernelInfo k : g.kernels()) {
            if (k.xenOnly()) {
                notes.add("kernel " + k.version() + " is Xen-only and cannot boot on KVM");
            } else {
                bootable.add(k);
            }
        }
        if (bootable.isEmpty()) {
            notes.add(WARNING + "no kernel in /boot that can boot on KVM"
                    + (g.kernels().isEmpty() ? " (is /boot a separate filesystem?)" : "; install a non-Xen kernel first"));
            return notes;
        }
        String rebuild;
        Optional<String> problem;
        if (g.os().family() == OsFamily.DEBIAN || fs.exists("/etc/initramfs-tools/initramfs.conf")) {
            problem = initramfsTools(fs);
            rebuild = "update-initramfs -u -k all";
        } else if (fs.exists("/etc/dracut.conf")) {
            problem = dracut(fs);
            rebuild = "dracut -f --add-drivers \"virtio_blk virtio_pci virtio_net\"";
        } else if (g.os().family() == OsFamily.SUSE) {
            problem = suse(fs);
            rebuild = "mkinitrd after adding virtio_blk to INITRD_MODULES in /etc/sysconfig/kernel";
        } else if (g.os().family() == OsFamily.RHEL) {
            problem = mkinitrd(fs);
            rebuild = "mkinitrd -f --with=virtio_pci --with=virtio_blk /boot/initrd-$(uname -r).img $(uname -r)";
        } else {
            problem = Optional.of("unknown initrd generator for " + g.os().prettyName());
            rebuild = "your distribution's initrd tool with virtio_blk and virtio_pci";
        }
        VirtioInitramfs.Needs needs = needs(g);
        boolean allVerified = true;
        for (KernelInfo k : bootable) {
            if (!rebuilt(fs, ctx, k, needs, notes)) {
                allVerified &= verify(fs, g.initrds(), k, rebuild, notes);
            }
        }
        if (allVerified) {
            return notes;
        }
        if (problem.isPresent()) {
            notes.add(WARNING + "the initrd probably lacks virtio drivers (" + problem.get() + "); if the guest cannot find its root disk, rebuild it in the guest with: " + rebuild);
        } else {
            notes.add("initrd configuration includes virtio drivers");
        }
        return notes;
    }

    /**
     * Rebuilds the kernel's initrd where it needs it.
     *
     * @return true when the initrd now has what KVM needs (and that is noted), false when it
     *         could not be rebuilt and is to be judged
     */
    private static boolean rebuilt(GuestFileSystem fs, ConversionContext ctx, KernelInfo k, VirtioInitramfs.Needs needs, List<String> notes) throws IOException {
        if (k.initrdPath() == null) {
            return false;
        }
        // A refusal is a note: the judgement that follows warns when the initrd will not boot as it is.
        try {
            VirtioInitramfs.Result r = VirtioInitramfs.ensure(fs, ctx.guest().initrds(), k.version(), k.initrdPath(), needs,
                    dev -> ctx.deviceMap() == null ? Optional.empty() : ctx.deviceMap().translate(dev));
            if (r.changed()) {
                notes.add(k.initrdPath() + " (" + r.format() + "): rebuilt for KVM: " + r.summary());
            } else {
                notes.add(k.initrdPath() + " (" + r.format() + "): has what KVM needs"
                        + (r.changes().isEmpty() ? "" : " (" + String.join("; ", r.changes()) + ")"));
            }
            return true;
        } catch (InitramfsRefusedException | InitramfsFormatException | ModuleFormatException e) {
            notes.add("not rebuilt: " + e.getMessage());
        }
        return false;
    }

    /** The root filesystem's type from fstab, and whether it is a logical volume (/dev/mapper/..., /dev/VG/LV). */
    static VirtioInitramfs.Needs needs(InspectedGuest g) {
        FstabEntry root = g.fstab() == null ? null : g.fstab().at("/");
        if (root == null) {
            return VirtioInitramfs.Needs.of(null, false);
        }
        String spec = root.spec();
        boolean lvm = spec.startsWith("/dev/mapper/") && !spec.startsWith("/dev/mapper/control")
                || spec.matches("/dev/[A-Za-z0-9+_.-]+/[A-Za-z0-9+_.-]+") && !spec.startsWith("/dev/disk/");
        return VirtioInitramfs.Needs.of(root.type(), lvm);
    }

    /**
     * Looks for virtio_blk in the kernel or in its initrd.
     *
     * @return true when the answer is known (and noted), false when only the generator's
     *         configuration can tell
     */
    private static boolean verify(GuestFileSystem fs, InitrdCache initrds, KernelInfo k, String rebuild, List<String> notes)
            throws IOException {
        if (VirtioDrivers.builtIn(fs, k.version(), "virtio_blk")) {
            notes.add("kernel " + k.version() + " has virtio_blk built in");
            return true;
        }
        if (k.initrdPath() == null) {
            notes.add(WARNING + "kernel " + k.version() + " has no initrd and virtio_blk is not built in; it cannot mount its root on virtio");
            return true;
        }
        InitrdCache.Entry entry = initrds.get(fs, k.initrdPath());
        if (entry.size() > InitramfsLimits.maxImageBytes()) {
            notes.add(k.initrdPath() + ": " + entry.size() + " bytes, too large to read; judged from configuration");
            return false;
        }
        if (entry.listing() == null) {
            // A format not read here is no sign of trouble (the configuration still tells);
            // a corrupt initrd is.
            notes.add((entry.unsupported() ? "" : WARNING) + entry.problem() + "; judged from configuration");
            return false;
        }
        InitrdListing listing = entry.listing();
        boolean pci = listing.hasModule("virtio_pci") || VirtioDrivers.builtIn(fs, k.version(), "virtio_pci");
        if (listing.hasModule("virtio_blk") && pci) {
            notes.add(k.initrdPath() + ": has virtio_blk and virtio_pci");
            return true;
        }
        notes.add(WARNING + k.initrdPath() + ": no " + (pci ? "virtio_blk" : "virtio_blk/virtio_pci")
                + " module; kernel " + k.version() + " will not find its root disk on virtio; rebuild it in the guest with: " + rebuild);
        return true;
    }

    private static String value(GuestFileSystem fs, String path, String key) throws IOException {
        String found = null;
        for (String line : TextFiles.lines(TextFiles.read(fs, path).orElse(""))) {
            Matcher m = ASSIGN.matcher(line);
            if (m.find() && m.group(1).equals(key)) {
                found = found != null && line.contains("+=") ? found + " " + m.group(2).strip() : m.group(2).strip();
            }
        }
        return found;
    }

    private static Optional<String> initramfsTools(GuestFileSystem fs) throws IOException {
        String modules = "most";
        String v = value(fs, "/etc/initramfs-tools/initramfs.conf", "MODULES");
        if (v != null) {
            modules = v;
        }
        for (String n : TextFiles.listIfDir(fs, "/etc/initramfs-tools/conf.d")) {
            String o = value(fs, "/etc/initramfs-tools/conf.d/" + n, "MODULES");
            if (o != null) {
                modules = o;
            }
        }
        if (modules.equals("most")) {
            return Optional.empty();
        }
        String list = TextFiles.read(fs, "/etc/initramfs-tools/modules").orElse("");
        if (list.contains("virtio_blk") && list.contains("virtio_pci")) {
            return Optional.empty();
        }
        return Optional.of("initramfs-tools MODULES=" + modules + " and virtio_blk/virtio_pci not in /etc/initramfs-tools/modules");
    }

    private static Optional<String> dracut(GuestFileSystem fs) throws IOException {
        List<String> files = new ArrayList<>(List.of("/etc/dracut.conf"));
        for (String n : TextFiles.listIfDir(fs, "/etc/dracut.conf.d")) {
            files.add("/etc/dracut.conf.d/" + n);
        }
        String hostonly = null;
        StringBuilder drivers = new StringBuilder();
        for (String f : files) {
            String h = value(fs, f, "hostonly");
            if (h != null) {
                hostonly = h;
            }
            for (String key : List.of("add_drivers", "force_drivers")) {
                String d = value(fs, f, key);
                if (d != null) {
                    drivers.append(' ').append(d);
                }
            }
        }
        if (drivers.toString().contains("virtio_blk")) {
            return Optional.empty();
        }
        boolean hostOnlyDefault = fs.exists("/usr/lib/dracut/dracut.conf.d/01-dist.conf")
                && "yes".equals(value(fs, "/usr/lib/dracut/dracut.conf.d/01-dist.conf", "hostonly"));
        if ("yes".equals(hostonly) || (hostonly == null && hostOnlyDefault)) {
            return Optional.of("dracut hostonly=yes");
        }
        return Optional.empty();
    }

    /**
     * mkinitrd put in the initrd the disk driver {@code modprobe.conf} named when the kernel was
     * installed, on Xen {@code xenblk}; the alias edit only helps the next rebuild.
     */
    private static Optional<String> mkinitrd(GuestFileSystem fs) throws IOException {
        return Optional.of("initrds made by mkinitrd on Xen hold the Xen disk driver named in "
                + ModprobeEdit.MODPROBE_CONF + " at the time");
    }

    private static Optional<String> suse(GuestFileSystem fs) throws IOException {
        String mods = value(fs, "/etc/sysconfig/kernel", "INITRD_MODULES");
        if (mods != null && mods.contains("virtio_blk")) {
            return Optional.empty();
        }
        return Optional.of("INITRD_MODULES in /etc/sysconfig/kernel has no virtio_blk");
    }
}
