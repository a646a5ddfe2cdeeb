package org.xen2kvm.xen;

import org.xen2kvm.image.DiskFormat;

/**
 * One disk of a Xen guest.
 *
 * @param path           host path of the image or block device; null for an empty CD-ROM
 * @param format         the image format, or null when the config did not say
 * @param formatDeclared true when the config named the format (a prefix such as
 *                       {@code file:}, {@code phy:}, {@code tap:aio:} or a {@code format=}
 *                       key): such a disk is never probed as another format
 * @param vdev           the guest device name as written in the config ({@code xvda},
 *                       {@code hda}, {@code xvda2}, {@code 51712}), without {@code :cdrom}
 * @param readOnly       attached read-only
 * @param cdrom          attached as a CD-ROM
 * @param shareable      xm's {@code w!}: writable by several guests
 * @param driver         the Xen backend named by the config ({@code phy}, {@code file},
 *                       {@code tap}, {@code tap2}, {@code qdisk}), or null
 * @param blockDevice    true when the path is a host block device ({@code phy:} or
 *                       {@code backendtype=phy})
 */
public record SourceDisk(
        String path,
        DiskFormat format,
        boolean formatDeclared,
        String vdev,
        boolean readOnly,
        boolean cdrom,
        boolean shareable,
        String driver,
        boolean blockDevice) {
}
