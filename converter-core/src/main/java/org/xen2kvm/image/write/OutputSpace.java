package org.xen2kvm.image.write;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.Extents;

/**
 * The room the disks of a run need on the output file system, and the room it has. The need
 * is the data a copy writes at most: the source's allocated extents as its allocation map
 * gives them (widened to whole clusters as {@link DiskCopier} reads them), found without
 * reading any data. A qcow2 output adds its metadata (a few clusters, plus one per 512 MiB
 * of virtual disk), which is not counted: the figure is "about".
 *
 * @param disks      each output disk with the data written to it
 * @param fileSystem where the output file system is mounted
 * @param freeBytes  what that file system had free for this user when measured
 */
public record OutputSpace(List<DiskNeed> disks, Path fileSystem, long freeBytes) {
    /** The {@code strerror} texts of ENOSPC and EDQUOT, the only ways the JDK names them. */
    private static final List<String> NO_SPACE_MESSAGES = List.of("No space left on device", "Disk quota exceeded");

    /** One output disk and the bytes of data that will be written to it. */
    public record DiskNeed(Path output, long dataBytes) {
    }

    public OutputSpace {
        disks = List.copyOf(disks);
    }

    /**
     * Measures the need of each disk and the free space where {@code outputDir} is (or would be:
     * the nearest existing folder above it).
     *
     * @throws IOException when an allocation map cannot be read or the file system not queried
     */
    public static OutputSpace measure(List<DiskNeed> disks, Path outputDir) throws IOException {
        Path dir = outputDir.toAbsolutePath().normalize();
        while (!Files.exists(dir) && dir.getParent() != null) {
            dir = dir.getParent();
        }
        FileStore store = Files.getFileStore(dir);
        Path mount = dir;
        for (Path p = dir.getParent(); p != null && Files.getFileStore(p).equals(store); p = p.getParent()) {
            mount = p;
        }
        return new OutputSpace(disks, mount, store.getUsableSpace());
    }

    /**
     * The bytes of data copying {@code source} writes at most, from its allocation map.
     *
     * @throws IOException when the allocation map cannot be read or is inconsistent
     */
    public static long dataBytes(BlockDevice source) throws IOException {
        return Extents.totalLength(DiskCopier.alignedExtents(source));
    }

    /** The data of all disks together. */
    public long neededBytes() {
        long sum = 0;
        for (DiskNeed d : disks) {
            sum = Math.addExact(sum, d.dataBytes());
        }
        return sum;
    }

    /** True when the disks clearly cannot fit: their data alone exceeds the free space. */
    public boolean tooSmall() {
        return neededBytes() > freeBytes;
    }

    /** The refusal before anything is written, naming {@code output} (the first disk or the folder). */
    public OutOfSpaceException refusal(Path output) {
        return new OutOfSpaceException(output + ": not enough space on " + fileSystem + " (" + figures()
                + " free); nothing was written");
    }

    /** The failure of a write to {@code output} that ran out of space ({@code cause}). */
    public OutOfSpaceException ranOut(Path output, IOException cause) {
        OutOfSpaceException e = new OutOfSpaceException(output + ": no space left on " + fileSystem + " ("
                + figures() + " were free); nothing was kept");
        e.initCause(cause);
        return e;
    }

    private String figures() {
        return "needed about " + human(neededBytes()) + (disks.size() == 1 ? " for the disk, " : " for the disks, ")
                + human(freeBytes);
    }

    /** The figure for the plan: "needed about 1.2 GiB for the disks, 300 MiB free on /out". */
    public String summary() {
        return figures() + " free on " + fileSystem;
    }

    /**
     * True when {@code e} or one of its causes is a write that found the file system full
     * (ENOSPC) or the user's quota used up (EDQUOT).
     */
    public static boolean isOutOfSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfSpaceException) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && NO_SPACE_MESSAGES.stream().anyMatch(m::contains)) {
                return true;
            }
        }
        return false;
    }

    /** A size for people: {@code 300 MiB}, {@code 1.2 GiB}, {@code 512 bytes}. */
    public static String human(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }
}
