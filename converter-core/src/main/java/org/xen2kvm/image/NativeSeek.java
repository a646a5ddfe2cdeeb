package org.xen2kvm.image;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Host-file facts Java cannot get by itself, via libc through JNA: the data extents of a
 * sparse file (lseek SEEK_DATA/SEEK_HOLE) and the size of a block device (lseek SEEK_END,
 * since FileChannel.size() reports 0 for block devices). Every method degrades to "unknown"
 * when libc is unavailable, so callers fall back to treating the whole file as data.
 */
final class NativeSeek {
    /** lseek whence values from Linux {@code <unistd.h>}. */
    private static final int SEEK_END = 2;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    /** open(2) flags: read-only, close-on-exec. */
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    /** errno when SEEK_DATA finds no data after the offset. */
    private static final int ENXIO = 6;
    /** A file this fragmented is reported as one extent: the map would cost more than it saves. */
    private static final int MAX_EXTENTS = 1 << 20;

    interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        long lseek(int fd, long offset, int whence) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final LibC LIBC = Libc.load(LibC.class);

    private NativeSeek() {
    }

    /** True when libc was loaded, so the methods below can answer. */
    static boolean available() {
        return LIBC != null;
    }

    /** The data extents of {@code path} within {@code [0, size)}, or null when the host cannot tell. */
    static List<Extent> dataExtents(Path path, long size) {
        if (LIBC == null) {
            return null;
        }
        int fd;
        try {
            fd = LIBC.open(path.toString(), O_RDONLY_CLOEXEC);
        } catch (LastErrorException e) {
            return null;
        }
        try {
            List<Extent> out = new ArrayList<>();
            long pos = 0;
            while (pos < size) {
                long data;
                try {
                    data = LIBC.lseek(fd, pos, SEEK_DATA);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == ENXIO) {
                        break;
                    }
                    return null;
                }
                if (data < pos || data >= size) {
                    break;
                }
                long hole = LIBC.lseek(fd, data, SEEK_HOLE);
                if (hole <= data) {
                    return null;
                }
                Extents.append(out, data, Math.min(hole, size) - data);
                if (out.size() > MAX_EXTENTS) {
                    return null;
                }
                pos = hole;
            }
            return out;
        } catch (LastErrorException e) {
            return null;
        } finally {
            try {
                LIBC.close(fd);
            } catch (LastErrorException ignored) {
                // read-only descriptor: nothing was buffered, nothing can be lost
            }
        }
    }

    /** The size of a block device (or any file) from lseek(SEEK_END), if the host can tell. */
    static OptionalLong endOffset(Path path) {
        if (LIBC == null) {
            return OptionalLong.empty();
        }
        try {
            int fd = LIBC.open(path.toString(), O_RDONLY_CLOEXEC);
            try {
                return OptionalLong.of(LIBC.lseek(fd, 0, SEEK_END));
            } finally {
                LIBC.close(fd);
            }
        } catch (LastErrorException e) {
            return OptionalLong.empty();
        }
    }
}
