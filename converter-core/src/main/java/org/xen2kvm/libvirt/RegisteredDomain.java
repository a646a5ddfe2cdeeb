package org.xen2kvm.libvirt;

import java.util.Objects;

/**
 * A domain defined through a {@link LibvirtRegistrar}.
 *
 * @param uri  the libvirt connection URI it lives on (a console opens its own connection)
 * @param name the domain name
 * @param uuid the domain UUID, lower case
 */
public record RegisteredDomain(String uri, String name, String uuid) {
    public RegisteredDomain {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uuid, "uuid");
    }
}
