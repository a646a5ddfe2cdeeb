/**
 * The target model: the KVM guest xen2kvm will create, independent of libvirt's XML.
 * Produced by the conversion planner, serialized by {@code org.xen2kvm.domain}.
 */
package org.xen2kvm.kvm;
