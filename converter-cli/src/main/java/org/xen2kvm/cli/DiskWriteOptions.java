package org.xen2kvm.cli;

import org.xen2kvm.image.write.CopyOptions;
import picocli.CommandLine.Option;

/** How commands that write disk images write them: shared by {@code convert} and {@code disk convert}. */
final class DiskWriteOptions {
    @Option(names = "--force", description = "Replace output files that exist.")
    boolean force;

    @Option(names = "--compress", description = "Compress qcow2 data clusters (deflate, readable by qemu).")
    boolean compress;

    @Option(names = "--page-cache",
            description = "Write through the host's page cache instead of around it (O_DIRECT, the default where "
                    + "the file system supports it).")
    boolean pageCache;

    @Option(names = "--allow-backing", description = "Let a probed image follow a backing file outside its directory.")
    boolean allowBacking;

    CopyOptions copyOptions() {
        return new CopyOptions(force, compress, !pageCache);
    }
}
