package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.TextFiles;

/**
 * Disables kudzu (RHEL 5 and older). At boot kudzu compares the hardware with what it saw
 * last: on KVM the Xen NIC and disk are gone and virtio ones appear, so it stops the boot
 * to ask what to do, or removes the NIC's configuration and writes a new {@code ifcfg} file
 * under another name. This does what {@code chkconfig kudzu off} does, which is also what
 * virt-v2v runs: each {@code /etc/rc.d/rcN.d/S<start>kudzu} link becomes
 * {@code K<stop>kudzu}, the stop priority taken from the script's {@code # chkconfig:} line.
 * {@code chkconfig kudzu on} turns it back on once the guest runs on KVM.
 */
public final class KudzuEdit implements GuestEdit {

    public static final String SCRIPT = "/etc/rc.d/init.d/kudzu";
    private static final Pattern START_LINK = Pattern.compile("S[0-9]{2}kudzu");
    /** {@code # chkconfig: 345 05 95}: runlevels, start priority, stop priority. */
    private static final Pattern CHKCONFIG = Pattern.compile("^#\\s*chkconfig:\\s*\\S+\\s+[0-9]{1,2}\\s+([0-9]{1,2})\\s*$");
    /** kudzu's own header says 95; used when the script cannot be read. */
    private static final String DEFAULT_STOP = "95";

    @Override
    public String name() {
        return "kudzu";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        String stop = stopPriority(fs);
        for (int level = 0; level <= 6; level++) {
            String dir = "/etc/rc.d/rc" + level + ".d";
            List<String> capped = new ArrayList<>();
            for (String n : TextFiles.listIfDir(fs, dir, capped)) {
                if (!START_LINK.matcher(n).matches()) {
                    continue;
                }
                String path = dir + "/" + n;
                if (fs.lstat(path).map(i -> i.type() != FileType.SYMLINK).orElse(true)) {
                    notes.add(WARNING + path + ": not a symlink; kudzu left enabled in runlevel " + level);
                    continue;
                }
                String target = fs.readlink(path);
                String kill = dir + "/K" + stop + "kudzu";
                fs.delete(path);
                if (fs.lstat(kill).isEmpty()) {
                    fs.symlink(kill, target);
                }
                notes.add("kudzu disabled in runlevel " + level + " (" + n + " -> K" + stop + "kudzu, as chkconfig kudzu off)");
            }
            capped.forEach(w -> notes.add(WARNING + w));
        }
        return notes;
    }

    private static String stopPriority(GuestFileSystem fs) throws IOException {
        Optional<String> script = TextFiles.read(fs, SCRIPT);
        for (String line : TextFiles.lines(script.orElse(""))) {
            Matcher m = CHKCONFIG.matcher(line.strip());
            if (m.matches()) {
                return m.group(1).length() == 1 ? "0" + m.group(1) : m.group(1);
            }
        }
        return DEFAULT_STOP;
    }
}
