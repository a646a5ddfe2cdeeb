package org.xen2kvm.fs.ext;

import java.util.List;

/**
 * What the superblock says about an ext2/3/4 filesystem.
 *
 * @param uuid     filesystem UUID in the dashed form used by {@code UUID=} in fstab
 * @param label    volume label, empty when none
 * @param features names of the compat, incompat and ro_compat features as e2fsprogs spells them
 */
public record ExtSuperblockInfo(String uuid, String label, int blockSize, long blocksCount, long freeBlocks,
        long inodesCount, long freeInodes, List<String> features) {
}
