package org.xen2kvm.plan;

import org.xen2kvm.plan.BootStrategy;

/**
 * How the converted guest boots, after looking inside it.
 *
 * @param kernelInGuest  path of the kernel inside the guest filesystem to copy out, or null
 *                       to copy {@code kernelOnHost}
 * @param kernelOnHost   the Xen config's dom0 kernel path, used when the guest has none
 * @param initrdInGuest  initrd inside the guest, or null
 * @param initrdOnHost   the Xen config's dom0 ramdisk, or null
 * @param cmdline        kernel command line for direct boot
 * @param note           why, for the plan
 */
public record BootDecision(
        BootStrategy strategy,
        String kernelInGuest,
        String kernelOnHost,
        String initrdInGuest,
        String initrdOnHost,
        String cmdline,
        String note) {
}
