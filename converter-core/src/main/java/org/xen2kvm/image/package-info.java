/**
 * Block devices: the one interface every image format, partition, volume and filesystem
 * stacks on, plus raw files, slices and the copy-on-write overlay that keeps sources intact.
 */
package org.xen2kvm.image;
