package org.xen2kvm.initramfs;

import java.util.List;

/**
 * One cpio archive: its entries up to the TRAILER!!! record, and the zero bytes that followed it
 * (GNU cpio pads an archive to 512-byte blocks; the kernel skips zeros between archives).
 */
public record CpioArchive(List<CpioEntry> entries, int paddingAfter) {
    public CpioArchive {
        entries = List.copyOf(entries);
        if (paddingAfter < 0) {
            throw new IllegalArgumentException("negative padding " + paddingAfter);
        }
    }
}
