package org.xen2kvm.target;

/** Direct kernel boot: libvirt loads this kernel and initrd with this command line. */
public record DirectBoot(String kernel, String initrd, String cmdline) {
}
