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
 * Rewrites GRUB's {@code device.map} ({@code (hd0) /dev/xvda}) with the KVM disk names. GRUB
 * legacy's {@code grub-install} and RHEL's {@code grubby}/{@code new-kernel-pkg} read it to
 * tell which Linux disk is BIOS disk {@code hd0}; with {@code /dev/xvda} there they fail or
 * install to the wrong disk at the next kernel update. The BIOS order is the order of the
 * disks, which the conversion keeps, so only the Linux names change.
 */
public final class GrubDeviceMapEdit implements GuestEdit {

    public static final List<String> DEVICE_MAPS = List.of("/boot/grub/device.map", "/boot/grub2/device.map");
    /** {@code (hd0)  /dev/xvda}: GRUB drive, blanks, Linux device. */
    private static final Pattern ENTRY = Pattern.compile("^(\\s*\\([a-z]{2}[0-9]{1,3}\\)\\s+)(/dev/\\S+)(.*)$");

    @Override
    public String name() {
        return "device.map";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        for (String path : DEVICE_MAPS) {
            Optional<String> text = TextFiles.read(fs, path);
            if (text.isEmpty()) {
                continue;
            }
            List<String> lines = new ArrayList<>(TextFiles.lines(text.get()));
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = ENTRY.matcher(lines.get(i));
                if (!m.matches()) {
                    continue;
                }
                Optional<String> kvm = ctx.deviceMap().translate(m.group(2));
                if (kvm.isPresent()) {
                    lines.set(i, m.group(1) + kvm.get() + m.group(3));
                    notes.add(path + " line " + (i + 1) + ": " + m.group(2) + " -> " + kvm.get());
                } else if (m.group(2).matches("/dev/xvd[a-z]+")) {
                    notes.add(WARNING + path + " line " + (i + 1) + ": " + m.group(2) + " is no disk of this guest; left"
                            + " unchanged (grub-install would not find it)");
                }
            }
            String result = TextFiles.join(lines, text.get().endsWith("\n"));
            if (!result.equals(text.get())) {
                fs.writeText(path, result);
            }
        }
        return notes;
    }
}
