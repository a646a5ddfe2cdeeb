package org.xen2kvm.kvm;

/** Direct kernel boot: libvirt loads this kernel and initrd with this command line. */
public record DirectBoot(String kernel, String initrd, String cmdline) {
}
