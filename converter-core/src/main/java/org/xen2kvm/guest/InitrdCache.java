package org.xen2kvm.guest;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.initramfs.CpioEntry;
import org.xen2kvm.initramfs.InitramfsFormatException;
import org.xen2kvm.initramfs.InitramfsImage;
import org.xen2kvm.initramfs.InitramfsLimits;
import org.xen2kvm.initramfs.UnsupportedInitramfsException;

/**
 * The guest's initrds, each inflated at most once per conversion. Inflating one is the slow part
 * of reading it (a Debian initrd is ~35 MB of gzip, ~125 MB of cpio, ~0.4 s), and inspection
 * (which drivers the default kernel has), the initramfs edits ({@code edit.InitrdFileEdit}, the
 * rebuild of {@code kernel.VirtioInitramfs}) and the initramfs of an installed kernel all need
 * the same files. The bytes are read from the filesystem on the caller's thread (the filesystem
 * is not thread-safe); when inspection starts it with {@link #prefetch}, decompression and
 * parsing run on another thread while the caller goes on.
 *
 * <p>An entry is known by the file's path, size and modification time: an initrd written
 * through {@link #write} replaces its entry with the image written, so the next step reads
 * the edited image without inflating it again; one changed behind the cache's back is read
 * anew. Listings (names only) are kept for every file; parsed images, which hold every file's
 * contents, only while together they stay within a quarter of the heap, the least recently
 * used dropped first, so a guest with many kernels costs a second inflation, never an
 * OutOfMemoryError.
 */
public final class InitrdCache {
    /**
     * A listing, or why there is none; {@code unsupported} when the file is in a format the
     * reader does not handle (lzo, or not an initramfs at all) rather than corrupt.
     */
    public record Entry(InitrdListing listing, long size, String problem, boolean unsupported) {
        Entry(InitrdListing listing, long size, String problem) {
            this(listing, size, problem, false);
        }
    }

    /** Which version of a file an entry is of. */
    private record Stamp(long size, long mtime) {
        static Stamp of(FileInfo info) {
            return new Stamp(info.size(), info.mtime());
        }
    }

    /**
     * What reading one version of a file gave; {@code failure} when it is not a readable initrd.
     * The image is handed over once, never kept here (see {@link #retain}).
     */
    private record Parsed(Entry entry, InitramfsFormatException failure, InitramfsImage image) {
        Parsed(Entry entry, InitramfsFormatException failure) {
            this(entry, failure, null);
        }

        Parsed withoutImage() {
            return new Parsed(entry, failure, null);
        }
    }

    private record Slot(Stamp stamp, CompletableFuture<Parsed> parsed) {
    }

    private record Retained(Stamp stamp, InitramfsImage image, long bytes) {
    }

    /** Bytes of file contents and names an entry costs beyond its data, roughly (record, name, arrays). */
    private static final long ENTRY_OVERHEAD = 256;

    private final Map<String, Slot> slots = new HashMap<>();
    /** In access order: the eldest is dropped first. */
    private final LinkedHashMap<String, Retained> images = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Integer> inflations = new HashMap<>();
    private final long budget;
    private long retainedBytes;

    private InitrdCache(long budget) {
        this.budget = budget;
    }

    /** No initrd read yet; parsed images kept within a quarter of the heap. */
    public static InitrdCache empty() {
        return new InitrdCache(Runtime.getRuntime().maxMemory() / 4);
    }

    /** No initrd read yet; parsed images kept within {@code budget} bytes of contents (0: none kept). */
    static InitrdCache withBudget(long budget) {
        return new InitrdCache(budget);
    }

    /** Starts reading {@code path} in the background, unless this version of it is known already. */
    public synchronized void prefetch(GuestFileSystem fs, String path) throws IOException {
        if (path == null) {
            return;
        }
        FileInfo info = fs.stat(path).orElse(null);
        Slot known = slots.get(path);
        if (info != null && known != null && Stamp.of(info).equals(known.stamp())) {
            return;
        }
        byte[] bytes = readBytes(fs, path, info);
        if (bytes == null) {
            return;
        }
        Stamp stamp = Stamp.of(info);
        slots.put(path, new Slot(stamp, CompletableFuture.supplyAsync(() -> {
            Parsed p = parse(path, bytes);
            synchronized (this) {
                // A write may have replaced this version meanwhile; its image is the one to keep.
                Slot current = slots.get(path);
                if (p.image() != null && current != null && stamp.equals(current.stamp())) {
                    retain(path, stamp, p.image());
                }
            }
            return p.withoutImage();
        })));
    }

    /**
     * The bytes of {@code path}, read to be inflated (and counted so); null, with the file's
     * slot saying why, when it is missing or too large for this heap.
     */
    private byte[] readBytes(GuestFileSystem fs, String path, FileInfo info) throws IOException {
        if (info == null) {
            slots.put(path, done(null, new Parsed(new Entry(null, 0, path + ": missing"), null)));
            return null;
        }
        if (info.size() > InitramfsLimits.maxImageBytes()) {
            InitramfsFormatException tooLarge = new InitramfsFormatException(path + ": " + info.size()
                    + " bytes, too large to read (the limit for this heap is " + (InitramfsLimits.maxImageBytes() >> 20) + " MiB)");
            slots.put(path, done(Stamp.of(info), new Parsed(new Entry(null, info.size(), tooLarge.getMessage()), tooLarge)));
            return null;
        }
        byte[] bytes = fs.readFile(path, InitramfsLimits.maxImageBytes());
        inflations.merge(path, 1, Integer::sum);
        return bytes;
    }

    /** The listing of {@code path} (read now if no prefetch started it). */
    public Entry get(GuestFileSystem fs, String path) throws IOException {
        return parsed(fs, path).entry();
    }

    /**
     * The parsed image of {@code path}, inflated only when this version of the file was not read
     * before (or its image was dropped to stay within the memory budget).
     *
     * @throws FileNotFoundException when there is no such file
     * @throws InitramfsFormatException when it is not a readable initrd or too large for this
     *         heap; the message names the file and the place
     */
    public InitramfsImage image(GuestFileSystem fs, String path) throws IOException {
        CompletableFuture<Parsed> started = null;
        synchronized (this) {
            FileInfo info = fs.stat(path).orElse(null);
            Slot known = slots.get(path);
            if (info != null && known != null && Stamp.of(info).equals(known.stamp())) {
                started = known.parsed();
            }
        }
        if (started != null) {
            Parsed p = join(started);
            if (p.failure() != null) {
                throw new InitramfsFormatException(p.failure().getMessage());
            }
            synchronized (this) {
                Retained r = images.get(path);
                Slot slot = slots.get(path);
                if (r != null && slot != null && r.stamp().equals(slot.stamp())) {
                    return r.image();
                }
            }
            // Dropped to stay within the budget: this version is read again.
        }
        return readNow(fs, path);
    }

    /** Reads and parses {@code path} on this thread (nothing to overlap with), and records it. */
    private synchronized InitramfsImage readNow(GuestFileSystem fs, String path) throws IOException {
        FileInfo info = fs.stat(path).orElse(null);
        byte[] bytes = readBytes(fs, path, info);
        Parsed p = bytes == null ? slots.get(path).parsed().join() : parse(path, bytes);
        if (bytes != null) {
            slots.put(path, done(Stamp.of(info), p.withoutImage()));
        }
        if (p.failure() != null) {
            throw new InitramfsFormatException(p.failure().getMessage());
        }
        if (p.image() == null) {
            throw new FileNotFoundException(p.entry().problem());
        }
        retain(path, Stamp.of(info), p.image());
        return p.image();
    }

    /**
     * Writes {@code image} to {@code path} with that mode and owner, and keeps it as the file's
     * entry: the steps after this one see the edited image without reading the file again.
     *
     * @return the bytes written
     */
    public byte[] write(GuestFileSystem fs, String path, InitramfsImage image, int mode, int uid, int gid) throws IOException {
        byte[] bytes = image.write();
        fs.writeFile(path, bytes, mode, uid, gid);
        FileInfo info = fs.stat(path).orElseThrow(() -> new FileNotFoundException(path + ": gone right after it was written"));
        Stamp stamp = Stamp.of(info);
        synchronized (this) {
            slots.put(path, done(stamp, new Parsed(new Entry(InitrdListing.of(image), info.size(), null), null)));
            retain(path, stamp, image);
        }
        return bytes;
    }

    /**
     * Drops the parsed images, keeping the listings: after the edits nothing reads an image, and
     * one held to the end of the conversion would hold its ~125 MB through the disk copy.
     */
    public synchronized void releaseImages() {
        images.clear();
        retainedBytes = 0;
    }

    /** How many times each initrd was inflated, by path: a statistic for tests and benchmarks. */
    public synchronized Map<String, Integer> inflations() {
        return new TreeMap<>(inflations);
    }

    private Parsed parsed(GuestFileSystem fs, String path) throws IOException {
        CompletableFuture<Parsed> f;
        synchronized (this) {
            prefetch(fs, path);
            f = slots.get(path).parsed();
        }
        return join(f);
    }

    private static Parsed join(CompletableFuture<Parsed> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error r) {
                throw r;
            }
            throw e;
        }
    }

    private static Parsed parse(String path, byte[] bytes) {
        try {
            InitramfsImage image = InitramfsImage.read(path, bytes);
            return new Parsed(new Entry(InitrdListing.of(image), bytes.length, null), null, image);
        } catch (InitramfsFormatException e) {
            return new Parsed(new Entry(null, bytes.length, e.getMessage(), e instanceof UnsupportedInitramfsException), e);
        }
    }

    /** Keeps {@code image} as {@code path}'s, dropping the least recently used images beyond the budget. */
    private void retain(String path, Stamp stamp, InitramfsImage image) {
        Retained old = images.remove(path);
        if (old != null) {
            retainedBytes -= old.bytes();
        }
        long bytes = 0;
        for (CpioEntry e : image.entries()) {
            bytes += e.data().length + ENTRY_OVERHEAD;
        }
        if (bytes > budget) {
            return;
        }
        images.put(path, new Retained(stamp, image, bytes));
        retainedBytes += bytes;
        Iterator<Retained> eldest = images.values().iterator();
        while (retainedBytes > budget && eldest.hasNext()) {
            Retained r = eldest.next();
            if (r.image() != image) {
                retainedBytes -= r.bytes();
                eldest.remove();
            }
        }
    }

    private static Slot done(Stamp stamp, Parsed parsed) {
        return new Slot(stamp, CompletableFuture.completedFuture(parsed));
    }
}
