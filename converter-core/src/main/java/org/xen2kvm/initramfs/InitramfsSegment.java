package org.xen2kvm.initramfs;

import java.util.List;

/**
 * One stretch of an initramfs: zero bytes the kernel skips, then either plain cpio archives or
 * one compressed stream holding cpio archives (Debian: an uncompressed early archive with
 * microcode, then the compressed main one).
 *
 * @param paddingBefore zero bytes before the segment (after a compressed one; zeros after a
 *                      plain archive belong to that archive)
 * @param compression   how the archives are stored
 * @param archives      the archives, in order
 */
public record InitramfsSegment(int paddingBefore, Compression compression, List<CpioArchive> archives) {
    public InitramfsSegment {
        archives = List.copyOf(archives);
        if (paddingBefore < 0) {
            throw new IllegalArgumentException("negative padding " + paddingBefore);
        }
    }
}
