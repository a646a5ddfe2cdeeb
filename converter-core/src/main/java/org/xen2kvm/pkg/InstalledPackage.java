package org.xen2kvm.pkg;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link PackageInstaller} put into the guest, for the report and for the first-boot
 * service that registers the package with the guest's package database.
 *
 * @param kernelRelease the release of the kernel installed, or empty for a package without one
 * @param packageFile   the package file as supplied
 * @param files         every entry, in payload order, plus the parent directories created
 * @param warnings      one line each: owners not found in the guest, scripts not run
 */
public record InstalledPackage(String name, String version, String architecture, PackageFormat format,
                               String kernelRelease, Path packageFile, List<InstalledFile> files, List<String> warnings) {
    public InstalledPackage {
        files = List.copyOf(files);
        warnings = List.copyOf(warnings);
    }

    /** Data bytes written in all. */
    public long bytes() {
        return files.stream().mapToLong(InstalledFile::bytes).sum();
    }

    /** The guest paths of the entries of a type. */
    public List<String> guestPaths(EntryType type) {
        return files.stream().filter(f -> f.type() == type).map(InstalledFile::guestPath).toList();
    }
}
