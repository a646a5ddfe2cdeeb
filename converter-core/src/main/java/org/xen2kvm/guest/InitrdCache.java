package org.xen2kvm.guest;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * The guest's initrds as listed once per conversion. Listing one means inflating all of it
 * (a Debian initrd is ~35 MB of gzip, ~125 MB of cpio, ~0.4 s), and inspection (which
 * drivers the default kernel has) and the initramfs check (which kernels will find their
 * root) both need it. The bytes are read from the filesystem on the caller's thread (the
 * filesystem is not thread-safe); decompression and parsing run on another thread, started
 * as soon as inspection knows the initrd, while the caller goes on.
 */
public final class InitrdCache {
    /** Larger than any real initrd; a bigger file is judged from configuration instead. */
    public static final int MAX_INITRD_BYTES = 256 << 20;

    /** A listing, or why there is none. */
    public record Entry(InitrdListing listing, long size, String problem) {
    }

    private final Map<String, CompletableFuture<Entry>> entries = new HashMap<>();

    /** No initrd read yet. */
    public static InitrdCache empty() {
        return new InitrdCache();
    }

    /** Starts listing {@code path} in the background, if not started yet. */
    public synchronized void prefetch(GuestFileSystem fs, String path) throws IOException {
        if (path == null || entries.containsKey(path)) {
            return;
        }
        long size = fs.stat(path).map(i -> i.size()).orElse(-1L);
        if (size < 0) {
            entries.put(path, CompletableFuture.completedFuture(new Entry(null, 0, path + ": missing")));
            return;
        }
        if (size > MAX_INITRD_BYTES) {
            entries.put(path, CompletableFuture.completedFuture(new Entry(null, size,
                    path + ": " + size + " bytes, too large to read")));
            return;
        }
        byte[] image = fs.readFile(path, MAX_INITRD_BYTES);
        entries.put(path, CompletableFuture.supplyAsync(() -> {
            try {
                return new Entry(InitrdListing.read(path, image), size, null);
            } catch (InitrdListing.InitrdFormatException e) {
                return new Entry(null, size, e.getMessage());
            }
        }));
    }

    /** The listing of {@code path} (read now if no prefetch started it). */
    public Entry get(GuestFileSystem fs, String path) throws IOException {
        CompletableFuture<Entry> f;
        synchronized (this) {
            prefetch(fs, path);
            f = entries.get(path);
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
