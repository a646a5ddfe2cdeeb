package org.xen2kvm.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConsoleTranscriptTest {
    private static void append(ConsoleTranscript t, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        t.append(b, b.length);
    }

    @Test
    void consumesUpToAndIncludingTheMatchAndKeepsTheRest() {
        ConsoleTranscript t = new ConsoleTranscript();
        append(t, "booting\r\nhost login: more");
        assertEquals("booting\r\nhost login:", t.consumeThrough(Pattern.compile("login:")));
        assertNull(t.consumeThrough(Pattern.compile("login:")), "consumed text is not matched twice");
        assertEquals(" more", t.consumeThrough(Pattern.compile("more")));
    }

    @Test
    void decodesAUtf8CharacterSplitAcrossChunks() {
        ConsoleTranscript t = new ConsoleTranscript();
        byte[] b = "grüß\n".getBytes(StandardCharsets.UTF_8); // ü and ß are two bytes each
        t.append(Arrays.copyOfRange(b, 0, 3), 3); // ends inside the ü
        t.append(Arrays.copyOfRange(b, 3, b.length), b.length - 3);
        assertEquals("grüß\n", t.consumeThrough(Pattern.compile("\n")));
    }

    @Test
    void malformedBytesBecomeReplacementCharacters() {
        ConsoleTranscript t = new ConsoleTranscript();
        byte[] b = {'a', (byte) 0xFF, 'b', '\n'};
        t.append(b, b.length);
        assertEquals("a\uFFFDb\n", t.consumeThrough(Pattern.compile("\n")));
    }

    @Test
    void unboundedOutputIsCappedButAPromptAtTheEndIsFound() {
        ConsoleTranscript t = new ConsoleTranscript();
        byte[] noise = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 64; i++) { // 4 MiB, four times the cap
            t.append(noise, noise.length);
        }
        append(t, "\nguest login: ");
        String text = t.consumeThrough(Pattern.compile("login: "));
        assertEquals(ConsoleTranscript.MAX_PENDING_CHARS, text.length());
        assertTrue(text.endsWith("\nguest login: "));
    }

    @Test
    void lastLinesDropEscapesCarriageReturnsAndBlankLines() {
        ConsoleTranscript t = new ConsoleTranscript();
        append(t, "one\r\n\u001B[0;32m  OK  \u001B[0m Started Foo.\r\n\r\n\r\nthree \r\nguest login: ");
        assertEquals("  OK   Started Foo.\nthree\nguest login:", t.lastLines(3));
        assertEquals("one\n  OK   Started Foo.\nthree\nguest login:", t.lastLines(10));
        assertEquals("", new ConsoleTranscript().lastLines(5));
    }

    @Test
    void plainTextLosesEscapesAndCarriageReturnsOnly() {
        assertEquals("Linux\nok  x\n", ConsoleTranscript.plain("Linux\r\n\u001B[1;31mok\u001B[0m  x\r\n"));
    }
}
