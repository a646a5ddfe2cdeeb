package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.TextFiles;

/**
 * Asks an SELinux guest to relabel its files on the first boot. The files the edits create
 * ({@code ttyS0} gettys, link files, the new initrd) carry no {@code security.selinux} label,
 * and in enforcing mode a daemon denied its configuration fails to start; even permissive
 * guests would log denials and keep the wrong labels for a later switch to enforcing. An empty
 * {@code /.autorelabel} makes {@code rc.sysinit} (RHEL 5/6) or
 * {@code selinux-autorelabel.service} (RHEL 7+) run {@code fixfiles} and reboot once.
 * virt-v2v does the same when it cannot run {@code setfiles} itself.
 */
public final class SelinuxRelabelEdit implements GuestEdit {

    public static final String SELINUX_CONFIG = "/etc/selinux/config";
    public static final String AUTORELABEL = "/.autorelabel";
    private static final Pattern SELINUX = Pattern.compile("^\\s*SELINUX\\s*=\\s*[\"']?([A-Za-z]+)[\"']?\\s*(?:#.*)?$");

    @Override
    public String name() {
        return "selinux";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        Optional<String> config = TextFiles.read(fs, SELINUX_CONFIG);
        if (config.isEmpty()) {
            return notes;
        }
        String mode = "";
        for (String line : TextFiles.lines(config.get())) {
            Matcher m = SELINUX.matcher(line);
            if (m.matches()) {
                mode = m.group(1).toLowerCase(Locale.ROOT);
            }
        }
        if (!mode.equals("enforcing") && !mode.equals("permissive")) {
            return notes;
        }
        if (fs.lstat(AUTORELABEL).isPresent()) {
            return notes;
        }
        fs.writeText(AUTORELABEL, "");
        notes.add(AUTORELABEL + ": created; SELinux is " + mode + ", so the first boot relabels the filesystem and"
                + " reboots once");
        return notes;
    }
}
