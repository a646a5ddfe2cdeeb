package org.xen2kvm.initramfs;

import java.util.List;

/**
 * A rebuilt initramfs and what was changed, one line per change (for the plan and dry run).
 *
 * @param image   the new image; {@link InitramfsImage#write()} gives its bytes
 * @param changes "added usr/lib/modules/.../virtio_blk.ko", "conf/conf.d/resume: RESUME=/dev/xvda2 -> none", ...
 */
public record Rebuilt(InitramfsImage image, List<String> changes) {
    public Rebuilt {
        changes = List.copyOf(changes);
    }
}
