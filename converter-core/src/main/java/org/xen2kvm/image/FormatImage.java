package org.xen2kvm.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.xen2kvm.image.DiskFormat;

/** A decoded image file: a {@link BlockDevice} that also knows its format, file and parent. */
public interface FormatImage extends BlockDevice {
    DiskFormat format();

    /** The image file itself. */
    Path path();

    /** The host file the image is stored in (for a raw image, the image itself). */
    RawFileDevice file();

    /** The parent this image reads through to, or null. */
    FormatImage backing();

    /** Format facts for {@code disk info}: version, cluster size, subtype, notes. */
    Map<String, String> details();

    /** Host bytes used by the file: the sum of its data extents. */
    default long allocatedBytes() throws IOException {
        return Extents.totalLength(file().allocatedExtents());
    }
}
