/** libvirt Xen domain XML ({@code <domain type='xen'>}, {@code virsh dumpxml} on a Xen host). */
package org.xen2kvm.config.libvirt;
