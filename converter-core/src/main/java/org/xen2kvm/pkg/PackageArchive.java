package org.xen2kvm.pkg;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A package file whose metadata has been read; its payload is streamed on demand. */
public interface PackageArchive {
    Path file();

    PackageMetadata metadata();

    /**
     * Opens the payload from its start. Each call reads the file anew.
     *
     * @throws PackageFormatException if the payload cannot be opened (unknown compression ...)
     */
    EntryReader entries() throws IOException;

    /**
     * Every path of the payload when the metadata lists them (an RPM header does), so that
     * they can be known without inflating the payload; empty when only the payload knows.
     */
    default Optional<List<String>> listedPaths() {
        return Optional.empty();
    }
}
