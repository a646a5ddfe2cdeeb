/**
 * xl and xm config files ({@code key = value} assignments): the syntax
 * ({@link org.xen2kvm.config.xl.XlParser}), the DISKSPEC / VIFSPEC mini-languages and the
 * mapping of keys onto the source model ({@link org.xen2kvm.config.xl.XlGuestMapper}).
 */
package org.xen2kvm.config.xl;
