package org.xen2kvm.pipeline;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.image.write.DurableFiles;

/**
 * {@code NAME.xen2kvm-incomplete} in the output directory: present, listing the run's output
 * file names, from before the first output is written until the domain is registered. A run
 * killed in between leaves it, so the next run with the same name and directory knows that
 * the finished outputs it finds (a kernel, the first disks, the XML) are leftovers of an
 * unfinished conversion, not a finished one to protect: it removes them and converts again.
 *
 * <p>The file is locked while a run owns it (the kernel drops the lock when the process dies,
 * even by SIGKILL), so a second run at the same time is refused instead of taking the first
 * one's outputs for leftovers. A finished run empties the file before it removes it and lets
 * go of the lock: a run that opened it meanwhile finds it empty and removes nothing.
 */
final class RunMarker implements Closeable {
    /** Suffix of the marker after the domain name. */
    static final String SUFFIX = ".xen2kvm-incomplete";
    /** A marker is a list of a few file names; anything longer is not ours. */
    private static final int MAX_SIZE = 64 << 10;

    private final Path path;
    private final FileChannel channel;
    private final List<String> earlier;

    private RunMarker(Path path, FileChannel channel, List<String> earlier) {
        this.path = path;
        this.channel = channel;
        this.earlier = earlier;
    }

    /**
     * Opens (creating it if needed) and locks the marker at {@code path}.
     *
     * @throws Xen2KvmException when another run holds it
     * @throws IOException      when it cannot be opened or read
     */
    static RunMarker claim(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        try {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another run in this JVM
            }
            if (lock == null) {
                throw new Xen2KvmException(path + ": another xen2kvm run is converting to the same name and"
                        + " directory; wait for it to finish, or choose another --name or --output-dir");
            }
            if (ch.size() > MAX_SIZE) {
                throw new Xen2KvmException(path + ": " + ch.size() + " bytes is not a xen2kvm run marker;"
                        + " remove it if no conversion is running");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) ch.size());
            while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
                // read it all
            }
            List<String> names = new ArrayList<>();
            for (String line : new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    names.add(line.strip());
                }
            }
            return new RunMarker(path, ch, List.copyOf(names));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /** The output file names an earlier run that never finished listed; empty when there was none. */
    List<String> earlierOutputs() {
        return earlier;
    }

    /** True when an earlier run into the same name and directory was killed before it finished. */
    boolean resumed() {
        return !earlier.isEmpty();
    }

    /** Lists this run's outputs in the marker, durably, before the first of them is written. */
    void record(List<Path> outputs) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Path p : outputs) {
            b.append(p.getFileName()).append('\n');
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(true);
        DurableFiles.syncDirectory(path.toAbsolutePath().getParent());
    }

    /** The run finished: empties and removes the marker (the lock goes when it is closed). */
    void finish() throws IOException {
        channel.truncate(0);
        channel.force(true);
        Files.deleteIfExists(path);
        DurableFiles.syncDirectory(path.toAbsolutePath().getParent());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
