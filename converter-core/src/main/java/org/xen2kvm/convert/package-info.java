/**
 * Conversion decisions: how Xen devices map to KVM devices ({@link DeviceMap}), and the
 * edits that make a Xen guest boot on KVM.
 */
package org.xen2kvm.convert;
