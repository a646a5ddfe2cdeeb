package org.xen2kvm.image;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Loads a view of the C library through JNA, for the few host calls Java has no API for
 * (lseek SEEK_DATA, mmap/madvise, fallocate). Callers degrade to plain Java when it is
 * missing, so a JVM without native access still converts, only slower.
 */
public final class Libc {
    private Libc() {
    }

    /** {@code api} bound to libc, or null when native calls are unavailable here. */
    public static <T extends Library> T load(Class<T> api) {
        try {
            // The exact soname (libc.so.6) spares JNA a search through "ldconfig -p" at start-up.
            return Native.load(Platform.C_LIBRARY_NAME, api);
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError: no native access here
            return null;
        }
    }
}
