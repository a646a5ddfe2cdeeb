package org.xen2kvm.image;

import java.util.List;
import org.xen2kvm.image.DiskFormat;

/**
 * A parent image named inside an image header: a qcow/qcow2 backing file or a VHD parent locator.
 *
 * @param candidates  the names exactly as stored, best first (a VHD may carry a relative and an
 *                    absolute locator); relative names resolve against the child's directory,
 *                    and the first that exists is used
 * @param format      the format the header declares for the parent, or null when it must be probed
 * @param fieldOffset where in the child file the name is stored, for error messages
 */
public record BackingReference(List<String> candidates, DiskFormat format, long fieldOffset) {
    public BackingReference {
        candidates = List.copyOf(candidates);
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("a backing reference needs a name");
        }
    }

    public BackingReference(String name, DiskFormat format, long fieldOffset) {
        this(List.of(name), format, fieldOffset);
    }

    /** The first (preferred) name. */
    public String name() {
        return candidates.get(0);
    }
}
