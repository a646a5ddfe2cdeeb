package org.xen2kvm.batch;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.xen2kvm.JsonStyle;

/**
 * The state folder beside a plan ({@code PLAN.yaml.d}): {@code NAME.json}, the guest's
 * {@link GuestState}, written atomically; and {@code NAME.lock}, locked ({@code flock} through
 * {@link FileChannel#tryLock()}) by the run converting the guest for as long as it does.
 *
 * <p>The lock is what makes shards, concurrent runs and resumes safe: only its holder may
 * convert the guest or write its state, and the kernel releases it when the holder dies, even
 * by SIGKILL. So a state file that says {@code running} while nobody holds the lock was left by
 * a killed run, and the guest is converted again.
 */
public final class StateStore {
    private final Path dir;

    public StateStore(Path dir) {
        this.dir = dir;
    }

    /** The state folder of {@code plan}: {@code PLAN.yaml.d} beside it. */
    public static StateStore beside(Path plan) {
        Path abs = plan.toAbsolutePath();
        return new StateStore(abs.resolveSibling(abs.getFileName() + ".d"));
    }

    public Path dir() {
        return dir;
    }

    /**
     * The recorded state of {@code name}, if any.
     *
     * @throws IOException when the file exists but cannot be read or parsed
     */
    public Optional<GuestState> read(String name) throws IOException {
        Path f = dir.resolve(name + ".json");
        try {
            return Optional.of(JsonStyle.mapper().readValue(Files.readAllBytes(f), GuestState.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(f + ": not a state file: " + e.getOriginalMessage(), e);
        }
    }

    /** Records {@code state} atomically; only the holder of the guest's {@link Claim} calls this. */
    void write(GuestState state) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(state.name() + ".json"), JsonStyle.pretty().writeValueAsBytes(state));
    }

    /**
     * Takes the guest's lock without waiting.
     *
     * @return the claim, or empty when another run (or thread) holds it
     */
    public Optional<Claim> tryClaim(String name) throws IOException {
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve(name + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                return Optional.empty();
            }
            return Optional.of(new Claim(ch));
        } catch (OverlappingFileLockException e) {
            ch.close();
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** True when some run holds the guest's lock now (for status: running, or left by a killed run). */
    public boolean isHeld(String name) throws IOException {
        if (!Files.exists(dir.resolve(name + ".lock"))) {
            return false;
        }
        Optional<Claim> c = tryClaim(name);
        if (c.isEmpty()) {
            return true;
        }
        c.get().close();
        return false;
    }

    /** The lock on one guest; closing it lets go. */
    public static final class Claim implements Closeable {
        private final FileChannel channel;

        private Claim(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
