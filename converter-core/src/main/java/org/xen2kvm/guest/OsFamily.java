package org.xen2kvm.guest;

/**
 * Distribution families that differ in how they boot, name devices and configure the network;
 * {@code WINDOWS} for a guest recognised by its NTFS system volume, which xen2kvm cannot read.
 */
public enum OsFamily {
    DEBIAN, RHEL, SUSE, OTHER, WINDOWS
}
