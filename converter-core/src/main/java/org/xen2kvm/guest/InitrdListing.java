package org.xen2kvm.guest;

import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.initramfs.CpioEntry;
import org.xen2kvm.initramfs.InitramfsFormatException;
import org.xen2kvm.initramfs.InitramfsImage;

/**
 * The names of the files in an initrd, as {@link InitramfsImage} reads it (every segment: an
 * early uncompressed microcode archive, then plain, gzip, xz, zstd, lz4, bzip2 or lzma archives).
 * Only the names are kept, so that a listing held for a whole conversion costs kilobytes, not
 * the ~125 MB of file contents the image holds.
 *
 * @param paths file names as the kernel extracts them (no leading "/" or "./"), in order
 */
public record InitrdListing(List<String> paths) {

    public InitrdListing {
        paths = List.copyOf(paths);
    }

    /** The names of {@code image}'s entries. */
    public static InitrdListing of(InitramfsImage image) {
        List<String> paths = new ArrayList<>();
        for (CpioEntry e : image.entries()) {
            paths.add(e.path());
        }
        return new InitrdListing(paths);
    }

    /**
     * Lists an initrd held in memory.
     *
     * @param what a name for messages (the initrd's path in the guest)
     * @throws InitramfsFormatException as {@link InitramfsImage#read(String, byte[])}: a corrupt,
     *         truncated or oversized segment, or a compression with no decoder here (lzo), named
     *         with the file, the segment and the offset
     */
    public static InitrdListing read(String what, byte[] image) throws InitramfsFormatException {
        return of(InitramfsImage.read(what, image));
    }

    /** True when a file of that base name, with any module compression suffix, is present. */
    public boolean hasModule(String module) {
        for (String p : paths) {
            String base = p.substring(p.lastIndexOf('/') + 1);
            if (base.equals(module + ".ko") || base.startsWith(module + ".ko.")) {
                return true;
            }
        }
        return false;
    }
}
