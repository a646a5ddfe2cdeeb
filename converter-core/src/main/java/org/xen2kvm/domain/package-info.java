/**
 * libvirt domain XML: the JAXB shape of {@code <domain>} (package-private; it never leaves
 * this package) and the writer that turns a {@link org.xen2kvm.kvm.TargetDomain} into it.
 */
package org.xen2kvm.domain;
