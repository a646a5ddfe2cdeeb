/** XenServer/XCP-ng XVA exports: the {@code ova.xml} metadata (XML-RPC value encoding). */
package org.xen2kvm.config.xva;
