/**
 * The guest edits that make a Xen guest boot on KVM (fstab, GRUB, console, network names,
 * modprobe aliases, initramfs check), one class each, run in order by {@link GuestEditor}
 * on the copy-on-write overlay; and the device map they translate names through
 * ({@link DeviceMap}: Xen {@code xvda2} to KVM {@code vdb}).
 */
package org.xen2kvm.edit;

import org.xen2kvm.plan.DeviceMap;
