package org.xen2kvm.edit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.InitSystem;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.guest.OsFamily;

/**
 * A service that runs once, at the converted guest's first boot, to finish what xen2kvm did
 * offline with the guest's own tools: register the kernel packages it installed with the
 * package database, rebuild their initramfs with the distribution's tool, regenerate a GRUB 2
 * menu, log to {@value #LOG}, and remove itself.
 *
 * <p>Debian packages go through {@code dpkg -i --force-confold --force-depends}: dpkg unpacks
 * the same files again (they are unowned, so nothing conflicts) and runs the package's
 * maintainer scripts, which is how Debian expects a kernel to be installed (its postinst runs
 * the {@code /etc/kernel/postinst.d} hooks); {@code --force-confold} keeps the configuration
 * files the guest has without asking (nobody is there to answer at boot), {@code --force-depends}
 * lets the kernel be configured when a dependency is missing rather than left half-installed.
 *
 * The postinst hooks also rebuild the initramfs and the GRUB menu, so for Debian packages the
 * service runs nothing else.
 *
 * <p>RPM packages go through {@code rpm -i --justdb --nodeps --noscripts}: only the database
 * learns of the files, which are already in place; the scripts ({@code new-kernel-pkg},
 * {@code kernel-install}) would add a second boot entry and initramfs for a kernel that has
 * them; {@code --nodeps} because an offline guest at boot cannot fetch a missing dependency,
 * and the kernel, installed already, should be known to rpm all the same.
 *
 * <p>The service is a systemd unit (enabled by its {@code multi-user.target.wants} link,
 * after {@code local-fs.target} and before logins), a SysV rc script ({@code S99} links:
 * runlevels 3 and 5 on RHEL, 2 to 5 on Debian, whose default is 2), or an upstart job,
 * chosen by the guest's init. It removes itself whatever happens, so that a failure cannot
 * repeat at every boot; a failed step leaves the packages in {@value #PACKAGES} and says in
 * the log how to retry.
 */
public final class FirstBootService {

    public static final String SCRIPT = "/usr/lib/xen2kvm/firstboot.sh";
    public static final String PACKAGES = "/var/lib/xen2kvm/packages";
    public static final String LOG = "/var/log/xen2kvm-firstboot.log";
    static final String NAME = "xen2kvm-firstboot";
    static final String UNIT = "/etc/systemd/system/" + NAME + ".service";
    static final String UNIT_LINK = "/etc/systemd/system/multi-user.target.wants/" + NAME + ".service";
    static final String UPSTART_JOB = "/etc/init/" + NAME + ".conf";
    /** Package file names and kernel releases go into a shell script: only these characters. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._+~:-]{1,200}");
    /** A kernel package is tens of MiB; the copy is held in memory. */
    private static final long MAX_PACKAGE_BYTES = 256L << 20;

    public enum Format {
        DEB, RPM
    }

    /**
     * A kernel package xen2kvm installed into the guest.
     *
     * @param name          package name ({@code linux-image-6.1.0-27-cloud-amd64}, {@code kernel})
     * @param kernelRelease the release of the kernel in it ({@code 6.1.0-27-cloud-amd64})
     * @param format        deb or rpm
     * @param file          the package file on this host, copied into {@value #PACKAGES}
     */
    public record Package(String name, String kernelRelease, Format format, Path file) {
        public Package {
            for (String s : List.of(name, kernelRelease, file.getFileName().toString())) {
                if (!SAFE.matcher(s).matches()) {
                    throw new IllegalArgumentException(file + ": '" + s + "' has characters a package name or kernel"
                            + " release does not have; rename the file or check the package");
                }
            }
        }

        String guestPath() {
            return PACKAGES + "/" + file.getFileName();
        }
    }

    private FirstBootService() {
    }

    /**
     * Copies the packages into the guest and writes the script and the service that runs it.
     *
     * @return notes for the user, one line each
     * @throws IOException when a package cannot be read or the guest filesystem fails
     */
    public static List<String> install(GuestFileSystem fs, InspectedGuest guest, List<Package> packages) throws IOException {
        List<String> notes = new ArrayList<>();
        if (packages.isEmpty()) {
            return notes;
        }
        fs.mkdirs(PACKAGES);
        for (Package p : packages) {
            long size = Files.size(p.file());
            if (size > MAX_PACKAGE_BYTES) {
                throw new Xen2KvmException(p.file() + ": " + size + " bytes, larger than a kernel package ("
                        + MAX_PACKAGE_BYTES + " at most)");
            }
            fs.writeFile(p.guestPath(), Files.readAllBytes(p.file()), 0644, 0, 0);
        }
        fs.mkdirs("/usr/lib/xen2kvm");
        Starter starter = starter(fs, guest);
        fs.writeFile(SCRIPT, script(fs, guest, packages, starter).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                0755, 0, 0);
        starter.install(fs);
        notes.add(SCRIPT + ": registers " + String.join(", ", packages.stream().map(Package::name).toList())
                + " with the package database at the first boot (" + starter.describe() + "), log in " + LOG);
        return notes;
    }

    // ---- how the script is started

    /** One way to start the script once at boot, and the commands that undo it. */
    interface Starter {
        void install(GuestFileSystem fs) throws IOException;

        /** Shell lines that remove what {@link #install} made. */
        List<String> removal();

        String describe();
    }

    static Starter starter(GuestFileSystem fs, InspectedGuest guest) throws IOException {
        InitSystem init = guest.initSystem();
        if (init == InitSystem.SYSTEMD) {
            return new Systemd();
        }
        if (init == InitSystem.UPSTART) {
            return new Upstart();
        }
        boolean redHat = fs.stat("/etc/rc.d/init.d").isPresent() || guest.os().family() == OsFamily.RHEL;
        if (init == InitSystem.SYSVINIT || fs.stat("/etc/init.d").isPresent() || redHat) {
            return redHat ? new SysV("/etc/rc.d/init.d", "/etc/rc.d/rc%s.d", List.of("3", "5"))
                    : new SysV("/etc/init.d", "/etc/rc%s.d", List.of("2", "3", "4", "5"));
        }
        throw new Xen2KvmException("the guest's init system is unknown (no systemd, upstart or /etc/init.d):"
                + " the first-boot service that registers the installed kernel cannot be set up");
    }

    static final class Systemd implements Starter {
        @Override
        public void install(GuestFileSystem fs) throws IOException {
            fs.mkdirs("/etc/systemd/system/multi-user.target.wants");
            fs.writeText(UNIT, """
                    # Written by xen2kvm: runs once at the first boot on KVM, then removes itself.
                    [Unit]
                    Description=xen2kvm first boot: register the kernel installed during the conversion
                    After=local-fs.target
                    # Logins do not wait: dpkg -i of a kernel takes minutes on a slow first boot, which
                    # would look like a hung guest; systemctl is-system-running --wait says when it is done.
                    ConditionPathExists=%s

                    [Service]
                    Type=oneshot
                    ExecStart=/bin/sh %s
                    TimeoutSec=0
                    StandardOutput=journal+console

                    [Install]
                    WantedBy=multi-user.target
                    """.formatted(SCRIPT, SCRIPT));
            if (fs.lstat(UNIT_LINK).isEmpty()) {
                fs.symlink(UNIT_LINK, UNIT);
            }
        }

        @Override
        public List<String> removal() {
            return List.of("rm -f " + UNIT_LINK + " " + UNIT);
        }

        @Override
        public String describe() {
            return "systemd unit " + NAME + ".service";
        }
    }

    static final class Upstart implements Starter {
        @Override
        public void install(GuestFileSystem fs) throws IOException {
            fs.mkdirs("/etc/init");
            fs.writeText(UPSTART_JOB, """
                    # Written by xen2kvm: runs once at the first boot on KVM, then removes itself.
                    description "xen2kvm first boot: register the kernel installed during the conversion"
                    start on runlevel [2345]
                    task
                    exec /bin/sh %s
                    """.formatted(SCRIPT));
        }

        @Override
        public List<String> removal() {
            return List.of("rm -f " + UPSTART_JOB);
        }

        @Override
        public String describe() {
            return "upstart job " + NAME;
        }
    }

    static final class SysV implements Starter {
        private final String initDir;
        private final String rcDir;
        private final List<String> runlevels;

        SysV(String initDir, String rcDir, List<String> runlevels) {
            this.initDir = initDir;
            this.rcDir = rcDir;
            this.runlevels = runlevels;
        }

        private String link(String level) {
            return String.format(rcDir, level) + "/S99" + NAME;
        }

        @Override
        public void install(GuestFileSystem fs) throws IOException {
            fs.mkdirs(initDir);
            String levels = String.join(" ", runlevels);
            String text = """
                    #!/bin/sh
                    # Written by xen2kvm: runs once at the first boot on KVM, then removes itself.
                    # chkconfig: %s 99 01
                    # description: xen2kvm first boot: register the kernel installed during the conversion
                    ### BEGIN INIT INFO
                    # Provides:          %s
                    # Required-Start:    $local_fs $remote_fs
                    # Required-Stop:
                    # Default-Start:     %s
                    # Default-Stop:
                    # Short-Description: xen2kvm first boot
                    ### END INIT INFO
                    case "$1" in
                      start) exec /bin/sh %s ;;
                      *) exit 0 ;;
                    esac
                    """.formatted(String.join("", runlevels), NAME, levels, SCRIPT);
            fs.writeFile(initDir + "/" + NAME, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0755, 0, 0);
            for (String level : runlevels) {
                fs.mkdirs(String.format(rcDir, level));
                if (fs.lstat(link(level)).isEmpty()) {
                    fs.symlink(link(level), "../init.d/" + NAME);
                }
            }
        }

        @Override
        public List<String> removal() {
            List<String> out = new ArrayList<>();
            StringBuilder sb = new StringBuilder("rm -f " + initDir + "/" + NAME);
            for (String level : runlevels) {
                sb.append(' ').append(link(level));
            }
            out.add(sb.toString());
            return out;
        }

        @Override
        public String describe() {
            return "SysV rc script " + initDir + "/" + NAME + ", S99 in runlevels " + String.join(", ", runlevels);
        }
    }

    // ---- the script

    /** The guest's initramfs tool for one kernel, as a shell command. */
    static String initramfsCommand(GuestFileSystem fs, InspectedGuest guest, String rel) throws IOException {
        OsFamily family = guest.os().family();
        if (anyExists(fs, "/usr/sbin/update-initramfs", "/sbin/update-initramfs")) {
            return "if [ -e /boot/initrd.img-" + rel + " ]; then update-initramfs -u -k " + rel
                    + "; else update-initramfs -c -k " + rel + "; fi";
        }
        if (anyExists(fs, "/usr/bin/dracut", "/usr/sbin/dracut", "/sbin/dracut")) {
            String image = family == OsFamily.DEBIAN ? "/boot/initrd.img-" + rel
                    : family == OsFamily.SUSE ? "/boot/initrd-" + rel : "/boot/initramfs-" + rel + ".img";
            return "dracut -f " + image + " " + rel;
        }
        if (anyExists(fs, "/sbin/mkinitrd", "/usr/sbin/mkinitrd", "/usr/bin/mkinitrd")) {
            return family == OsFamily.SUSE ? "mkinitrd -k /boot/vmlinuz-" + rel + " -i /boot/initrd-" + rel
                    : "mkinitrd -f --with=virtio_pci --with=virtio_blk /boot/initrd-" + rel + ".img " + rel;
        }
        return null;
    }

    /** {@code update-grub} or {@code grub2-mkconfig}, only for a GRUB 2 guest; null otherwise. */
    static String bootloaderCommand(GuestFileSystem fs) throws IOException {
        boolean grub2 = false;
        String cfg = null;
        for (String p : GrubEdit.GRUB2_CONFIGS) {
            if (BootDefaults.isRegular(fs, p)) {
                grub2 = true;
                cfg = cfg == null ? p : cfg;
            }
        }
        if (!grub2) {
            return null;
        }
        if (anyExists(fs, "/usr/sbin/update-grub", "/sbin/update-grub")) {
            return "update-grub";
        }
        if (anyExists(fs, "/usr/sbin/grub2-mkconfig", "/sbin/grub2-mkconfig")) {
            return "grub2-mkconfig -o " + cfg;
        }
        return "grub-mkconfig -o " + cfg;
    }

    private static boolean anyExists(GuestFileSystem fs, String... paths) throws IOException {
        for (String p : paths) {
            if (fs.exists(p)) {
                return true;
            }
        }
        return false;
    }

    static String script(GuestFileSystem fs, InspectedGuest guest, List<Package> packages, Starter starter)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("#!/bin/sh\n");
        sb.append("# Written by xen2kvm. Runs once, at the first boot on KVM: registers the kernel packages\n");
        sb.append("# xen2kvm installed offline with the package database, rebuilds their initramfs with this\n");
        sb.append("# system's own tool, then removes itself. See xen2kvm's docs/kernels.md.\n");
        sb.append("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
        sb.append("export PATH\n");
        sb.append("DEBIAN_FRONTEND=noninteractive\n");
        sb.append("export DEBIAN_FRONTEND\n");
        sb.append("exec >>").append(LOG).append(" 2>&1\n");
        sb.append("echo \"xen2kvm first boot: $(date)\"\n");
        sb.append("failed=\n");
        sb.append("step() {\n");
        sb.append("  echo \"+ $*\"\n");
        sb.append("  \"$@\" || { echo \"xen2kvm: failed (exit $?): $*\"; failed=yes; }\n");
        sb.append("}\n");
        for (Package p : packages) {
            if (p.format() == Format.DEB) {
                sb.append("step dpkg -i --force-confold --force-depends ").append(p.guestPath()).append('\n');
            } else {
                sb.append("step rpm -i --justdb --nodeps --noscripts ").append(p.guestPath()).append('\n');
            }
        }
        // dpkg -i runs a Debian kernel's postinst, whose /etc/kernel/postinst.d hooks already
        // rebuild its initramfs (initramfs-tools, dracut) and the GRUB menu (zz-update-grub):
        // doing both again doubled a first boot that takes minutes on a slow machine.
        boolean rpm = packages.stream().anyMatch(p -> p.format() != Format.DEB);
        if (!rpm) {
            sb.append("echo \"xen2kvm: the kernel packages' postinst hooks (/etc/kernel/postinst.d) rebuilt the"
                    + " initramfs and the boot menu\"\n");
        }
        for (Package p : packages) {
            if (p.format() == Format.DEB) {
                continue;
            }
            String cmd = initramfsCommand(fs, guest, p.kernelRelease());
            if (cmd == null) {
                sb.append("echo \"xen2kvm: no initramfs tool (update-initramfs, dracut, mkinitrd) found; the initramfs"
                        + " xen2kvm built for ").append(p.kernelRelease()).append(" stays\"\n");
            } else if (cmd.startsWith("if ")) {
                sb.append("step sh -c '").append(cmd).append("'\n");
            } else {
                sb.append("step ").append(cmd).append('\n');
            }
        }
        String grub = rpm ? bootloaderCommand(fs) : null;
        if (grub != null) {
            sb.append("step ").append(grub).append('\n');
        }
        sb.append("if [ -n \"$failed\" ]; then\n");
        sb.append("  echo \"xen2kvm: a step failed; the packages stay in ").append(PACKAGES)
                .append(" to retry by hand with the commands above\"\n");
        sb.append("else\n");
        sb.append("  rm -rf ").append(PACKAGES).append('\n');
        sb.append("fi\n");
        sb.append("# Removed whatever happened, so that a failure does not repeat at every boot.\n");
        for (String line : starter.removal()) {
            sb.append(line).append('\n');
        }
        sb.append("rm -f ").append(SCRIPT).append('\n');
        sb.append("echo \"xen2kvm first boot: done $(date)\"\n");
        sb.append("exit 0\n");
        return sb.toString();
    }
}
