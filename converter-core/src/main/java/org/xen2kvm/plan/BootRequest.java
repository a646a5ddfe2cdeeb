package org.xen2kvm.plan;

import java.nio.file.Path;
import java.util.List;

/**
 * The user's say on the kernel and boot: {@code --boot}, {@code --kernel}, {@code --initrd},
 * {@code --cmdline}, {@code --install-kernel}.
 *
 * @param mode           auto, direct or disk
 * @param kernel         a kernel of this host to boot directly, or null
 * @param initrd         its initrd, or null
 * @param cmdline        the kernel command line for direct boot, or null for one made from the guest
 *                       (its root as KVM names it, the serial console)
 * @param installKernels kernel packages (.deb, .rpm) to install into the guest, in order; may be empty
 */
public record BootRequest(BootMode mode, Path kernel, Path initrd, String cmdline, List<Path> installKernels) {

    /** No options given: the boot is decided from the guest. */
    public static final BootRequest AUTO = new BootRequest(BootMode.AUTO, null, null, null, List.of());

    public BootRequest {
        installKernels = List.copyOf(installKernels);
        if ((kernel != null || initrd != null || cmdline != null) && mode != BootMode.DIRECT) {
            throw new IllegalArgumentException("--kernel, --initrd and --cmdline need --boot direct");
        }
        if (initrd != null && kernel == null) {
            throw new IllegalArgumentException("--initrd " + initrd + " needs --kernel FILE");
        }
    }

    /** Direct boot of a kernel file of this host. */
    public boolean hostKernel() {
        return mode == BootMode.DIRECT && kernel != null;
    }
}
