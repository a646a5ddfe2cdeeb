package org.xen2kvm.pkg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a supplied kernel package, telling .deb from .rpm by their magic rather than by name. */
public final class KernelPackages {
    private KernelPackages() {
    }

    /**
     * Opens {@code file} as a Debian package or an RPM and finds the kernel it carries.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws PackageFormatException if it is neither, or corrupt
     */
    public static KernelPackage open(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(ArArchive.MAGIC.length);
        }
        if (ArArchive.hasMagic(head)) {
            return KernelPackage.of(DebPackage.open(file));
        }
        if (RpmPackage.hasMagic(head)) {
            return KernelPackage.of(RpmPackage.open(file));
        }
        throw new PackageFormatException(file, 0, "neither a Debian package (!<arch> magic) nor an RPM (ed ab ee db magic)");
    }
}
