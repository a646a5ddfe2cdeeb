package org.xen2kvm.plan;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Xen virtual device name decoded: {@code xvda}, {@code xvda2}, {@code hdc}, {@code sdb1},
 * {@code xvdaa} or a numeric id such as {@code 51712}.
 *
 * @param prefix    {@code xvd}, {@code hd} or {@code sd}
 * @param disk      disk index, 0 for {@code a}
 * @param partition partition number, 0 for the whole disk
 */
public record XenVdev(String prefix, int disk, int partition) {

    private static final Pattern NAME = Pattern.compile("(xvd|hd|sd)([a-z]{1,3})([0-9]{0,3})");
    /** Xen's numeric vdev encodings (xen docs/misc/vbd-interface): majors and shifts. */
    private static final int XVD_MAJOR = 202;
    private static final int HD_MAJOR_0 = 3;
    private static final int HD_MAJOR_1 = 22;
    private static final int SD_MAJOR = 8;
    private static final int EXTENDED_FLAG = 1 << 28;
    private static final int MAX_PARTITION = 255;

    /** Decodes a vdev as written in a config (a {@code :cdrom} suffix must be removed first). */
    public static Optional<XenVdev> parse(String vdev) {
        if (vdev == null) {
            return Optional.empty();
        }
        String v = vdev.trim();
        if (v.startsWith("ioemu:")) {
            v = v.substring("ioemu:".length());
        }
        Matcher m = NAME.matcher(v);
        if (m.matches()) {
            int disk = letters(m.group(2));
            int part = m.group(3).isEmpty() ? 0 : Integer.parseInt(m.group(3));
            if (part > MAX_PARTITION || (m.group(3).startsWith("0") && part != 0) || "0".equals(m.group(3))) {
                return Optional.empty();
            }
            return Optional.of(new XenVdev(m.group(1), disk, part));
        }
        if (v.matches("[0-9]{1,10}")) {
            long n = Long.parseLong(v);
            if (n > Integer.MAX_VALUE) {
                return Optional.empty();
            }
            return fromNumber((int) n);
        }
        return Optional.empty();
    }

    private static Optional<XenVdev> fromNumber(int n) {
        if ((n & EXTENDED_FLAG) != 0) {
            return Optional.of(new XenVdev("xvd", (n >> 8) & 0xFFFFF, n & 0xFF));
        }
        int major = n >> 8;
        int minor = n & 0xFF;
        switch (major) {
            case XVD_MAJOR: return Optional.of(new XenVdev("xvd", minor >> 4, minor & 0xF));
            case SD_MAJOR: return Optional.of(new XenVdev("sd", minor >> 4, minor & 0xF));
            case HD_MAJOR_0: return Optional.of(new XenVdev("hd", minor >> 6, minor & 0x3F));
            case HD_MAJOR_1: return Optional.of(new XenVdev("hd", 2 + (minor >> 6), minor & 0x3F));
            default: return Optional.empty();
        }
    }

    /** {@code a}=0 ... {@code z}=25, {@code aa}=26 ... as Linux names disks. */
    static int letters(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            n = n * 26 + (s.charAt(i) - 'a' + 1);
        }
        return n - 1;
    }

    /** Inverse of {@link #letters}. */
    static String letters(int index) {
        StringBuilder sb = new StringBuilder();
        int n = index + 1;
        while (n > 0) {
            n--;
            sb.insert(0, (char) ('a' + n % 26));
            n /= 26;
        }
        return sb.toString();
    }

    public boolean isPartition() {
        return partition > 0;
    }

    /** The disk this vdev belongs to, without partition: {@code xvda} for {@code xvda2}. */
    public String diskName() {
        return prefix + letters(disk);
    }

    /** Canonical name: {@code xvda2}. */
    public String name() {
        return diskName() + (partition > 0 ? Integer.toString(partition) : "");
    }
}
