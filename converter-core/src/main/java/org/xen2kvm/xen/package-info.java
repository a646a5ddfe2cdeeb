/**
 * The source model: a Xen guest as read from any of its definitions (xl/xm config, xend
 * SXP, libvirt Xen XML, XVA ova.xml). Readers in {@code org.xen2kvm.config} produce it;
 * everything later consumes it. Plain records, no parsing here.
 */
package org.xen2kvm.xen;
