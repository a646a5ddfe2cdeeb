/**
 * Registers a converted guest with libvirt and proves that it boots: defines the domain
 * (refusing to clobber an existing one unless asked), starts it, records its serial
 * console, and removes whatever a failed registration created. Takes the domain XML as
 * a string; writing that XML is the job of {@code org.xen2kvm.domain}.
 */
package org.xen2kvm.libvirt;
