package org.xen2kvm.xen;

/**
 * One virtual NIC of a Xen guest. Every field may be null.
 *
 * @param mac     lower-case {@code xx:xx:xx:xx:xx:xx}
 * @param bridge  the dom0 bridge ({@code xenbr0})
 * @param model   emulated model of an HVM guest ({@code e1000}, {@code rtl8139})
 * @param type    {@code ioemu}, {@code vif} or {@code netfront}
 * @param ip      address(es), space-separated, as configured
 * @param script  hotplug script
 * @param vifname backend interface name
 * @param rate    rate limit as written ({@code 10MB/s})
 */
public record SourceNic(
        String mac,
        String bridge,
        String model,
        String type,
        String ip,
        String script,
        String vifname,
        String rate) {
}
