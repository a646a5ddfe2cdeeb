package org.xen2kvm.libvirt;

import java.util.Objects;

/**
 * A storage volume created and filled by {@link LibvirtRegistrar#uploadVolume}.
 *
 * @param uri  the libvirt connection URI
 * @param pool the storage pool name
 * @param name the volume name inside the pool
 * @param key  libvirt's unique key of the volume
 * @param path the volume's path on the libvirt host, for the domain's {@code <disk><source file>}
 */
public record UploadedVolume(String uri, String pool, String name, String key, String path) {
    public UploadedVolume {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(path, "path");
    }
}
