package org.xen2kvm.pipeline;

import java.util.List;

/**
 * What {@code --install-kernel} put into the guest, for the plan: one line per package (its
 * files, kernel, initramfs, boot entry) and one for the first-boot service.
 */
public record InstalledKernels(List<String> summary) {
    public InstalledKernels {
        summary = List.copyOf(summary);
    }
}
