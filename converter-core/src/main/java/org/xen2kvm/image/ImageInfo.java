package org.xen2kvm.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.xen2kvm.image.DiskFormat;

/**
 * What {@code disk info} reports about one image and its backing chain.
 *
 * @param path           the image file
 * @param format         its decoded format
 * @param virtualSize    the guest-visible size in bytes
 * @param allocatedBytes host bytes the file occupies (its data extents; the size for block devices)
 * @param backingChain   the parent first, then the grandparent and so on; each entry's own
 *                       chain is the rest of this list
 * @param details        format facts such as the qcow2 version, cluster size or VHD subtype
 */
public record ImageInfo(Path path, DiskFormat format, long virtualSize, long allocatedBytes,
        List<ImageInfo> backingChain, Map<String, String> details) {
    public ImageInfo {
        backingChain = List.copyOf(backingChain);
        details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }
}
