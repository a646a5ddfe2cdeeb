/**
 * xen2kvm core: reads Xen guests, inspects and fixes their images, writes KVM disks and
 * libvirt domains. Data flows one way: config spec, source model, inspected guest,
 * conversion plan, target model, libvirt XML and disks.
 */
package org.xen2kvm;
