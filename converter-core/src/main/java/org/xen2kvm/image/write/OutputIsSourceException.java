package org.xen2kvm.image.write;

import java.nio.file.Path;
import org.xen2kvm.Xen2KvmException;

/**
 * An output path is, or resolves to, a file the conversion reads: writing it would destroy
 * the source. Bad usage, never attempted.
 */
public final class OutputIsSourceException extends Xen2KvmException {
    private final transient Path output;
    private final transient Path source;

    public OutputIsSourceException(Path output, Path source, String how) {
        super(output + ": output " + how + " the source file " + source
                + ", which is never written; choose an output path outside the source files");
        this.output = output;
        this.source = source;
    }

    public Path output() {
        return output;
    }

    public Path source() {
        return source;
    }
}
