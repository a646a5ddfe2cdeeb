package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.TextFiles;

/**
 * Points module aliases at virtio drivers: RHEL5/6 {@code mkinitrd} and {@code kudzu}
 * read {@code alias scsi_hostadapter} to choose the disk driver put in the initrd, and
 * {@code alias ethN} to load the NIC driver.
 */
public final class ModprobeEdit implements GuestEdit {

    public static final String MODPROBE_CONF = "/etc/modprobe.conf";
    public static final String MODPROBE_D = "/etc/modprobe.d";
    private static final Pattern ALIAS = Pattern.compile("^(\\s*alias\\s+)(\\S+)(\\s+)(\\S+)(.*)$");
    private static final Pattern XEN_NET = Pattern.compile("xennet|xen-netfront|xen_netfront|xen-vnif|xen_vnif");
    private static final Pattern XEN_BLK = Pattern.compile("xenblk|xen-blkfront|xen_blkfront|xen-vbd|xen_vbd");

    @Override
    public String name() {
        return "modprobe";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        List<String> files = new ArrayList<>();
        files.add(MODPROBE_CONF);
        List<String> capped = new ArrayList<>();
        for (String n : TextFiles.listIfDir(fs, MODPROBE_D, capped)) {
            if (n.endsWith(".conf") || !n.contains(".")) {
                files.add(MODPROBE_D + "/" + n);
            }
        }
        capped.forEach(w -> notes.add(WARNING + w));
        for (String f : files) {
            Optional<String> text = TextFiles.read(fs, f);
            if (text.isEmpty()) {
                continue;
            }
            List<String> lines = new ArrayList<>(TextFiles.lines(text.get()));
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = ALIAS.matcher(lines.get(i));
                if (!m.matches()) {
                    continue;
                }
                String module = m.group(4);
                String replacement = XEN_NET.matcher(module).matches() ? "virtio_net"
                        : XEN_BLK.matcher(module).matches() ? "virtio_blk" : null;
                if (replacement != null) {
                    lines.set(i, m.group(1) + m.group(2) + m.group(3) + replacement + m.group(5));
                    notes.add(f + " line " + (i + 1) + ": alias " + m.group(2) + " " + module + " -> " + replacement);
                }
            }
            String result = TextFiles.join(lines, text.get().endsWith("\n"));
            if (!result.equals(text.get())) {
                fs.writeText(f, result);
            }
        }
        return notes;
    }
}
