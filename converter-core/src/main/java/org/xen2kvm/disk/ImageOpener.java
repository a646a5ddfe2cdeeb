package org.xen2kvm.disk;

import java.io.IOException;
import java.nio.file.Path;
import org.xen2kvm.source.DiskFormat;

/**
 * Opens a guest disk image as a read-only {@link BlockDevice}, decoding its format.
 *
 * <p>Format safety: when {@code declared} is non-null the content is never probed as another
 * format (a raw disk whose guest wrote a qcow2 header into it stays raw). Only a probed
 * image may be decoded; a probed image never follows a backing file outside its own
 * directory unless {@link OpenOptions#allowBacking()} says so.
 */
public final class ImageOpener {
    private ImageOpener() {
    }

    /** Read-only open of {@code path}; {@code declared} null means "probe the content". */
    public static BlockDevice open(Path path, DiskFormat declared, OpenOptions options) throws IOException {
        DiskFormat format = declared != null ? declared : DiskFormat.RAW;
        if (format != DiskFormat.RAW) {
            throw new DiskFormatException(path, 0, "format " + format.label() + " is not supported yet");
        }
        return RawFileDevice.openReadOnly(path);
    }

    /** Options for opening images. */
    public record OpenOptions(boolean allowBacking) {
        public static final OpenOptions DEFAULT = new OpenOptions(false);
    }
}
