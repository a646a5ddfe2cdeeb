package org.xen2kvm.libvirt;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text received from a serial console, decoded incrementally as UTF-8, with two bounded
 * views: the part not yet consumed by a match, and the recent tail for error messages.
 *
 * <p>Guest output is hostile: a guest printing forever must not exhaust our heap, so both
 * views are capped and drop their oldest text first. The full byte stream goes to the
 * log file, not here.
 */
final class ConsoleTranscript {
    /** Cap on unconsumed text; a prompt is short, so dropping older output loses nothing useful. */
    static final int MAX_PENDING_CHARS = 1 << 20;
    /** Cap on the tail kept for {@link #lastLines}. */
    static final int MAX_TAIL_CHARS = 16 * 1024;
    /** Longest UTF-8 sequence is 4 bytes, so at most 3 can wait for the next chunk. */
    private static final int MAX_CARRY_BYTES = 3;
    /** CSI escape sequences (colours, cursor moves) that systemd and getty print. */
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final byte[] carry = new byte[MAX_CARRY_BYTES];
    private int carryLength;
    private final StringBuilder pending = new StringBuilder();
    private final StringBuilder tail = new StringBuilder();

    void append(byte[] data, int length) {
        ByteBuffer in = ByteBuffer.allocate(carryLength + length);
        in.put(carry, 0, carryLength).put(data, 0, length).flip();
        CharBuffer out = CharBuffer.allocate(in.remaining());
        decoder.decode(in, out, false);
        carryLength = Math.min(in.remaining(), MAX_CARRY_BYTES);
        in.get(carry, 0, carryLength);
        out.flip();
        appendBounded(pending, out, MAX_PENDING_CHARS);
        out.rewind();
        appendBounded(tail, out, MAX_TAIL_CHARS);
    }

    private static void appendBounded(StringBuilder target, CharSequence text, int max) {
        target.append(text);
        if (target.length() > max) {
            target.delete(0, target.length() - max);
        }
    }

    /**
     * Consumes and returns the unconsumed text up to and including the first match of
     * {@code pattern}, or returns null (consuming nothing) when there is no match yet.
     */
    String consumeThrough(Pattern pattern) {
        Matcher matcher = pattern.matcher(pending);
        if (!matcher.find()) {
            return null;
        }
        String text = pending.substring(0, matcher.end());
        pending.delete(0, matcher.end());
        return text;
    }

    /** {@code text} without terminal escapes and carriage returns. */
    static String plain(CharSequence text) {
        return ANSI_ESCAPE.matcher(text).replaceAll("").replace("\r", "");
    }

    /** The last {@code count} non-blank lines, without terminal escapes or trailing blanks, joined by '\n'. */
    String lastLines(int count) {
        String clean = plain(tail);
        String[] lines = clean.split("\n");
        StringBuilder out = new StringBuilder();
        int taken = 0;
        for (int i = lines.length - 1; i >= 0 && taken < count; i--) {
            if (!lines[i].isBlank()) {
                out.insert(0, lines[i].stripTrailing() + (taken == 0 ? "" : "\n"));
                taken++;
            }
        }
        return out.toString();
    }
}
