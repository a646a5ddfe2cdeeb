package org.xen2kvm.guest;

public enum InitSystem {
    SYSTEMD, UPSTART, SYSVINIT, UNKNOWN
}
