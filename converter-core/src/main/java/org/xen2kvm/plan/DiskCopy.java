package org.xen2kvm.plan;

import java.nio.file.Path;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.image.DiskFormat;

/**
 * One disk to copy from the Xen guest to the KVM guest.
 *
 * @param sourceFormat   format the config declared, or null when it must be probed
 * @param formatDeclared the config named the format: never probe
 */
public record DiskCopy(
        int sourceIndex,
        String sourcePath,
        DiskFormat sourceFormat,
        boolean formatDeclared,
        Path outputPath,
        OutputFormat outputFormat,
        String targetDev) {
}
