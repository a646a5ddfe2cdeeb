package org.xen2kvm.libvirt;

import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.jna.SizeT;
import org.xen2kvm.Cancellation;
import org.xen2kvm.CancelledException;

/**
 * The first serial console of a running domain, through libvirt's console stream
 * ({@code virDomainOpenConsole}), so it works for remote URIs as well as local ones.
 *
 * <p>Not thread-safe: one thread waits, sends and closes. Everything received is appended
 * to the log file, when there is one, as raw bytes.
 */
public final class SerialConsole implements AutoCloseable {
    /** How often a waiting call looks for new output; a console is slow, 20 ms costs nothing. */
    private static final long POLL_MILLIS = 20;
    private static final int RECEIVE_BUFFER_BYTES = 64 * 1024;
    /** Lines of output quoted in error messages. */
    static final int QUOTED_LINES = 15;
    /** A console that does not take our keystrokes within this time is stuck. */
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
    /** Prefix of the line {@link #run} makes the shell print after a command. */
    private static final String END_MARKER = "@@XEN2KVM-END-";

    private final LibvirtNative lib = LibvirtNative.INSTANCE;
    private final RegisteredDomain domain;
    private final Pointer connection;
    private final Pointer libvirtDomain;
    private final Pointer stream;
    private final OutputStream log;
    private final Path logFile;
    private final ConsoleTranscript transcript = new ConsoleTranscript();
    private final byte[] buffer = new byte[RECEIVE_BUFFER_BYTES];
    private boolean ended;
    private String endReason;
    private boolean closed;
    private int commandCount;

    private SerialConsole(RegisteredDomain domain, Pointer connection, Pointer libvirtDomain, Pointer stream,
            OutputStream log, Path logFile) {
        this.domain = domain;
        this.connection = connection;
        this.libvirtDomain = libvirtDomain;
        this.stream = stream;
        this.log = log;
        this.logFile = logFile;
    }

    /** Opens the console of a running domain without a log file. */
    public static SerialConsole open(RegisteredDomain domain) {
        return open(domain, null);
    }

    /**
     * Opens the console of a running domain on its own connection to {@code domain.uri()}.
     *
     * @param logFile appended to with every byte received; null for none
     * @throws ConsoleException when libvirt cannot be reached, the domain is gone or not
     *                          running, or the driver has no console support
     * @throws UncheckedIOException when the log file cannot be opened
     */
    public static SerialConsole open(RegisteredDomain domain, Path logFile) {
        QuietErrors.install();
        EventLoop.ensureRunning();
        LibvirtNative lib = LibvirtNative.INSTANCE;
        String where = domain.uri() + ": domain '" + domain.name() + "'";
        Pointer connection = lib.virConnectOpen(domain.uri());
        if (connection == null) {
            throw new ConsoleException(where + ": cannot open a connection for the serial console: "
                    + lib.virGetLastErrorMessage() + "; check that libvirt is running");
        }
        Pointer libvirtDomain = null;
        Pointer stream = null;
        OutputStream log = null;
        try {
            libvirtDomain = lib.virDomainLookupByUUIDString(connection, domain.uuid());
            if (libvirtDomain == null) {
                throw new ConsoleException(where + ": cannot find domain with uuid " + domain.uuid()
                        + " for the serial console: " + lib.virGetLastErrorMessage());
            }
            stream = lib.virStreamNew(connection, LibvirtNative.VIR_STREAM_NONBLOCK);
            if (stream == null) {
                throw new ConsoleException(where + ": cannot create a stream for the serial console: "
                        + lib.virGetLastErrorMessage());
            }
            if (lib.virDomainOpenConsole(libvirtDomain, null, stream, LibvirtNative.VIR_DOMAIN_CONSOLE_FORCE) < 0) {
                throw new ConsoleException(where + ": cannot open the serial console: "
                        + lib.virGetLastErrorMessage()
                        + "; the domain must be running and have <console type='pty'>");
            }
            if (logFile != null) {
                log = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            return new SerialConsole(domain, connection, libvirtDomain, stream, log, logFile);
        } catch (IOException e) {
            releaseQuietly(lib, connection, libvirtDomain, stream);
            throw new UncheckedIOException(logFile + ": cannot open the console log for appending: "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            releaseQuietly(lib, connection, libvirtDomain, stream);
            throw e;
        }
    }

    /**
     * Waits until console output (received since the previous successful wait) matches
     * {@code pattern}, and returns that output up to and including the match.
     *
     * @throws ConsoleException on timeout or when the console closes first (e.g. the guest
     *                          powered off); the message quotes the last console lines
     */
    public String waitFor(Pattern pattern, Duration timeout) {
        String text = awaitMatch(pattern, timeout);
        if (text != null) {
            return text;
        }
        String why = ended ? "the console closed (" + endReason + ")" : "no match within " + timeout.toSeconds() + " s";
        throw new ConsoleException(domain.uri() + ": domain '" + domain.name() + "': waiting for /" + pattern
                + "/ on the serial console: " + why + "; last console lines: " + quotedTail());
    }

    /** Like {@link #waitFor} but returns null instead of failing. */
    String awaitMatch(Pattern pattern, Duration timeout) {
        requireOpen();
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try {
                // A boot check waits for minutes: an interrupted run must not.
                Cancellation.process().check("waiting for a login prompt on the console of " + domain.name());
            } catch (CancelledException e) {
                throw new UncheckedIOException(e);
            }
            drain();
            String text = transcript.consumeThrough(pattern);
            if (text != null) {
                return text;
            }
            if (ended || !Instant.now().isBefore(deadline)) {
                return null;
            }
            sleep(POLL_MILLIS);
        }
    }

    /**
     * Types {@code text} (UTF-8) into the console. Add "\n" (or "\r") to press Enter.
     *
     * @throws ConsoleException when the console is closed or does not accept input
     */
    public void send(String text) {
        requireOpen();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int offset = 0;
        Instant deadline = Instant.now().plus(SEND_TIMEOUT);
        while (offset < bytes.length) {
            byte[] chunk = offset == 0 ? bytes : Arrays.copyOfRange(bytes, offset, bytes.length);
            int sent = lib.virStreamSend(stream, chunk, new SizeT(chunk.length));
            if (sent == LibvirtNative.STREAM_WOULD_BLOCK) {
                if (!Instant.now().isBefore(deadline)) {
                    throw new ConsoleException(domain.uri() + ": domain '" + domain.name()
                            + "': the serial console accepted no input for " + SEND_TIMEOUT.toSeconds() + " s");
                }
                drain(); // keep the guest's echo flowing so it can take more input
                sleep(POLL_MILLIS);
            } else if (sent < 0) {
                throw new ConsoleException(domain.uri() + ": domain '" + domain.name()
                        + "': cannot write to the serial console: " + lib.virGetLastErrorMessage());
            } else {
                offset += sent;
            }
        }
    }

    /**
     * Runs {@code command} in the shell the console is logged into (root prompt reached) and
     * waits for it to finish. The command line is followed by an {@code echo} of a marker and
     * {@code $?}, which is how the end and the exit status are recognised; so the command
     * must be one line, must not read standard input, and must leave the shell running.
     *
     * @throws ConsoleException when the marker does not appear within {@code timeout} (a
     *                          hung command, or no shell at the other end)
     */
    public CommandResult run(String command, Duration timeout) {
        if (command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("console command must be one line: " + command);
        }
        int id = ++commandCount;
        // The typed line shows "END-<id>"":$?" while the shell prints "END-<id>:<status>":
        // only the real output matches, never the terminal's echo of what we typed.
        String typedMarker = "echo \"" + END_MARKER + id + "\"\":$?@@\"";
        Pattern done = Pattern.compile(Pattern.quote(END_MARKER + id) + ":(\\d+)@@");
        send(command + "; " + typedMarker + "\n");
        String text = waitFor(done, timeout);
        Matcher m = done.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("waitFor returned text without its match"); // cannot happen
        }
        int start = 0;
        int echoed = text.lastIndexOf(typedMarker, m.start());
        if (echoed >= 0) {
            int lineEnd = text.indexOf('\n', echoed);
            start = lineEnd >= 0 && lineEnd < m.start() ? lineEnd + 1 : m.start();
        }
        String output = ConsoleTranscript.plain(text.substring(start, m.start()));
        return new CommandResult(output, Integer.parseInt(m.group(1)));
    }

    /** The last {@code count} non-blank lines received, without terminal escapes. */
    public String lastLines(int count) {
        drainIfOpen();
        return transcript.lastLines(count);
    }

    /** True once the console stream has ended (guest powered off or destroyed). */
    public boolean hasEnded() {
        drainIfOpen();
        return ended;
    }

    /** The log file given to {@link #open(RegisteredDomain, Path)}, or null. */
    public Path logFile() {
        return logFile;
    }

    /** Detaches from the console; the domain keeps running. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            drain(); // whatever already arrived belongs in the log
        } finally {
            releaseQuietly(lib, connection, libvirtDomain, stream);
            if (log != null) {
                try {
                    log.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(logFile + ": cannot close the console log: " + e.getMessage(), e);
                }
            }
        }
    }

    private String quotedTail() {
        String lines = transcript.lastLines(QUOTED_LINES);
        return lines.isEmpty() ? "(none)" : lines.replace("\n", " | ");
    }

    private void drainIfOpen() {
        if (!closed) {
            drain();
        }
    }

    /** Reads everything queued on the stream without blocking. */
    private void drain() {
        while (!ended) {
            int n = lib.virStreamRecv(stream, buffer, new SizeT(buffer.length));
            if (n == LibvirtNative.STREAM_WOULD_BLOCK) {
                return;
            }
            if (n == 0) {
                end("end of stream");
                return;
            }
            if (n < 0) {
                end(lib.virGetLastErrorMessage());
                return;
            }
            int length = Math.min(n, buffer.length); // libvirt never returns more than asked
            transcript.append(buffer, length);
            writeLog(length);
        }
    }

    private void end(String reason) {
        ended = true;
        endReason = reason;
    }

    private void writeLog(int length) {
        if (log == null) {
            return;
        }
        try {
            log.write(buffer, 0, length);
            log.flush(); // the log is most useful exactly when we crash or time out
        } catch (IOException e) {
            throw new UncheckedIOException(logFile + ": cannot append console output: " + e.getMessage(), e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("serial console of domain '" + domain.name() + "' is closed");
        }
    }

    private static void releaseQuietly(LibvirtNative lib, Pointer connection, Pointer libvirtDomain, Pointer stream) {
        // Best effort: this runs on error paths and at close, where a second failure would
        // only hide the first one.
        if (stream != null) {
            lib.virStreamAbort(stream);
            lib.virStreamFree(stream);
        }
        if (libvirtDomain != null) {
            lib.virDomainFree(libvirtDomain);
        }
        if (connection != null) {
            lib.virConnectClose(connection);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsoleException("interrupted while waiting on a serial console");
        }
    }
}
