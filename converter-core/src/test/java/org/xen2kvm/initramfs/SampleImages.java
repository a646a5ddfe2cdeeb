package org.xen2kvm.initramfs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Small initramfs contents built in the tests, covering every entry type the format has. */
final class SampleImages {
    static final long MTIME = 1_700_000_000L;

    private SampleImages() {
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Directories, files, a symlink, devices, a fifo and a hard-link pair (data on the last link). */
    static List<CpioEntry> mainEntries() {
        List<CpioEntry> e = new ArrayList<>();
        e.add(CpioEntry.directory(".", 0755, MTIME));
        e.add(CpioEntry.directory("bin", 0755, MTIME));
        e.add(CpioEntry.file("bin/hello", 0755, MTIME, text("#!/bin/sh\necho hello\n")));
        e.add(CpioEntry.symlink("bin/sh", "busybox", MTIME));
        e.add(CpioEntry.directory("dev", 0755, MTIME));
        e.add(CpioEntry.charDevice("dev/console", 0600, 5, 1, MTIME));
        e.add(new CpioEntry("dev/sda", CpioEntry.S_IFBLK | 0660, 0, 6, MTIME, 1, 0, 0, 0, 8, 0, new byte[0]));
        e.add(new CpioEntry("dev/initctl", CpioEntry.S_IFIFO | 0600, 0, 0, MTIME, 1, 0, 0, 0, 0, 0, new byte[0]));
        e.add(CpioEntry.directory("etc", 0755, MTIME));
        e.add(new CpioEntry("etc/a", CpioEntry.S_IFREG | 0644, 0, 0, MTIME, 2, 77, 0, 0, 0, 0, new byte[0]));
        e.add(new CpioEntry("etc/b", CpioEntry.S_IFREG | 0644, 0, 0, MTIME, 2, 77, 0, 0, 0, 0, text("linked\n")));
        e.add(new CpioEntry("etc/odd", CpioEntry.S_IFREG | 04751, 1000, 1001, MTIME + 5, 1, 0, 0, 0, 0, 0, text("x")));
        e.add(CpioEntry.file("init", 0755, MTIME, text("#!/bin/sh\nexec /bin/sh\n")));
        byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + (i >> 7));
        }
        e.add(CpioEntry.file("etc/big", 0644, MTIME, big));
        return e;
    }

    /** Debian's layout: an uncompressed early archive (microcode, padded as GNU cpio pads), then the compressed main one. */
    static InitramfsImage debianLayout(Compression main) {
        List<CpioEntry> early = List.of(
                CpioEntry.directory("kernel", 0755, MTIME),
                CpioEntry.directory("kernel/x86", 0755, MTIME),
                CpioEntry.directory("kernel/x86/microcode", 0755, MTIME),
                CpioEntry.file("kernel/x86/microcode/GenuineIntel.bin", 0644, MTIME, text("not really microcode\n")));
        if (main == Compression.NONE) {
            // Plain archives back to back are one segment.
            return new InitramfsImage(List.of(new InitramfsSegment(0, Compression.NONE,
                    List.of(new CpioArchive(early, 300), new CpioArchive(mainEntries(), 0)))), 0);
        }
        return new InitramfsImage(List.of(
                new InitramfsSegment(0, Compression.NONE, List.of(new CpioArchive(early, 300))),
                new InitramfsSegment(0, main, List.of(new CpioArchive(mainEntries(), 0)))), 0);
    }
}
