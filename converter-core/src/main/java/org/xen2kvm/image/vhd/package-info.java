/**
 * Read-only decoder for Microsoft Virtual Hard Disk (VHD) images, as XenServer stores VDIs:
 * fixed, dynamic and differencing disks (Virtual Hard Disk Image Format Specification 1.0).
 */
package org.xen2kvm.image.vhd;
