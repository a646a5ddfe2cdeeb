package org.xen2kvm.guest;

/** Where a guest keeps its network configuration. */
public enum NetworkStyle {
    /** Debian {@code /etc/network/interfaces}. */
    IFUPDOWN,
    /** Red Hat {@code /etc/sysconfig/network-scripts/ifcfg-*} or SUSE {@code /etc/sysconfig/network/ifcfg-*}. */
    IFCFG,
    NETPLAN,
    SYSTEMD_NETWORKD,
    NETWORKMANAGER
}
