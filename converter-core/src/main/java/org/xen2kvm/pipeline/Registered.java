package org.xen2kvm.pipeline;

import org.xen2kvm.libvirt.BootReport;

/**
 * A domain registered with libvirt.
 *
 * @param boot the boot check, or null when none was asked for
 */
public record Registered(String name, BootReport boot) {
}
