/** xend S-expressions: {@code (domain ...)} from {@code xm list -l} and {@code (vm ...)} create requests. */
package org.xen2kvm.config.sxp;
