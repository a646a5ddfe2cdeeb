/**
 * LVM2, read: physical volume labels, the text metadata in the metadata areas, the volume group
 * model, and logical volumes (linear and striped) as block devices. What is not handled (thin,
 * snapshots, RAID/mirror, cache, VDO, missing PVs) is refused by name. Format facts come from the
 * LVM2 sources ({@code lib/label/label.h}, {@code lib/format_text/layout.h}) and lvm2's
 * {@code doc/lvm2-raid.txt}/{@code man lvm} descriptions of the metadata text.
 */
package org.xen2kvm.lvm;
