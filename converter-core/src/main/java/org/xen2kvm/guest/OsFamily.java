package org.xen2kvm.guest;

/** Distribution families that differ in how they boot, name devices and configure the network. */
public enum OsFamily {
    DEBIAN, RHEL, SUSE, OTHER
}
