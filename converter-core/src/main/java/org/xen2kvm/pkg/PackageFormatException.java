package org.xen2kvm.pkg;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A package file is corrupt, hostile or of a kind not supported. The message is one line
 * naming the file, the place (byte offset, ar member, header tag, archive entry) and what is
 * wrong. The command line treats it as bad input (exit 2).
 */
public class PackageFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** @param where the place inside the file, e.g. {@code "offset 96"} or {@code "tag 1030 (FILEMODES)"} */
    public PackageFormatException(Path file, String where, String what) {
        super(oneLine(file + ": " + where + ": " + what));
        this.file = file;
    }

    public PackageFormatException(Path file, long offset, String what) {
        this(file, "offset " + offset, what);
    }

    public PackageFormatException(Path file, String where, String what, Throwable cause) {
        this(file, where, what);
        initCause(cause);
    }

    public Path file() {
        return file;
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
