package org.xen2kvm.kernel;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.xen2kvm.initramfs.CpioEntry;
import org.xen2kvm.initramfs.InitramfsImage;

/** The tool that built an initramfs, told from what it put in the image, not from the guest's configuration. */
public enum InitramfsFormat {
    /** Debian/Ubuntu mkinitramfs: {@code conf/initramfs.conf} and the {@code scripts/} tree its /init sources. */
    INITRAMFS_TOOLS("initramfs-tools"),
    /** dracut (RHEL 6+, Fedora, SUSE, Debian's dracut): its modules' files under {@code usr/lib/dracut/}. */
    DRACUT("dracut"),
    /** RHEL 5's mkinitrd: {@code /init} is a nash script. */
    NASH("nash"),
    UNKNOWN("unknown");

    private static final byte[] NASH_MAGIC = "#!/bin/nash".getBytes(StandardCharsets.US_ASCII);

    private final String label;

    InitramfsFormat(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Tells the generator from the image's content; {@link #UNKNOWN} when nothing matches. */
    public static InitramfsFormat detect(InitramfsImage image) {
        var init = image.find("init").filter(CpioEntry::isRegular);
        if (init.isPresent() && init.get().data().length >= NASH_MAGIC.length
                && Arrays.equals(init.get().data(), 0, NASH_MAGIC.length, NASH_MAGIC, 0, NASH_MAGIC.length)) {
            return NASH;
        }
        if (image.hasTree("usr/lib/dracut") || image.hasTree("lib/dracut")) {
            return DRACUT;
        }
        if (image.find("conf/initramfs.conf").isPresent() || image.hasTree("scripts")) {
            return INITRAMFS_TOOLS;
        }
        return UNKNOWN;
    }

    @Override
    public String toString() {
        return label;
    }
}
