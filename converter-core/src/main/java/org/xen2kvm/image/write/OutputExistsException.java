package org.xen2kvm.image.write;

import java.io.IOException;
import java.nio.file.Path;

/** The destination already exists and replacing it was not asked for. */
public final class OutputExistsException extends IOException {
    private final transient Path destination;

    public OutputExistsException(Path destination) {
        super(destination + ": output file already exists; remove it or pass --force to replace it");
        this.destination = destination;
    }

    public Path destination() {
        return destination;
    }
}
