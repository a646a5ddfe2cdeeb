/**
 * The conversion plan: what xen2kvm will do for one guest (target domain, device map, disk
 * copies, boot strategy, warnings), decided before anything is written. A dry run prints it.
 */
package org.xen2kvm.plan;
