/**
 * Readers for every Xen guest definition xen2kvm accepts: xl/xm config files
 * ({@code config.xl}), xend S-expressions ({@code config.sxp}), libvirt Xen domain XML
 * ({@code config.libvirt}) and XenServer XVA metadata ({@code config.xva}). Each produces a
 * {@link org.xen2kvm.xen.SourceGuest}; {@code config.read.GuestDefinitionReader}
 * detects the format and picks the reader.
 */
package org.xen2kvm.config;
