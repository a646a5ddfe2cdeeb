/** Partition tables (MBR with extended partitions, GPT) read from a block device. */
package org.xen2kvm.partition;
