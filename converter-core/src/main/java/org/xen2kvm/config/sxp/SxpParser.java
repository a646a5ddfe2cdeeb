package org.xen2kvm.config.sxp;

import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.config.ConfigParseException;

/**
 * S-expression syntax as xend's sxp.py reads it (fact sheet section 5): parentheses,
 * whitespace-separated atoms, {@code '...'}/{@code "..."} strings with backslash escapes,
 * {@code #} comments. A backslash directly before a newline is dropped as a line wrap (libvirt's
 * stored test inputs are wrapped that way), and reported once as a warning.
 */
public final class SxpParser {
    private static final int MAX_DEPTH = 64;
    private static final String SEPARATORS = "{}()<>[];";

    private final String file;
    private final String text;
    private int pos;
    private int line = 1;
    private int lineStart;
    private boolean wrapSeen;

    private SxpParser(String file, String text) {
        this.file = file;
        this.text = text;
    }

    /** Result: the top-level expressions and whether line wraps were removed. */
    public record Result(List<SxpNode> nodes, boolean lineWrapsRemoved) {
    }

    /**
     * Parses every top-level expression of a file.
     *
     * @throws ConfigParseException for unbalanced parentheses or an unterminated string
     */
    public static Result parse(String file, String text) {
        SxpParser p = new SxpParser(file, text);
        List<SxpNode> nodes = new ArrayList<>();
        while (true) {
            p.skipSpace();
            if (p.pos >= text.length()) {
                return new Result(nodes, p.wrapSeen);
            }
            if (p.peek() == ')') {
                throw p.error("unbalanced ')'", ")", "'(' first, or the end of the file");
            }
            nodes.add(p.parseNode(0));
        }
    }

    private SxpNode parseNode(int depth) {
        int l = line;
        int c = pos - lineStart + 1;
        char ch = peek();
        if (ch == '(') {
            if (depth >= MAX_DEPTH) {
                throw error("S-expression nested too deeply", "(", "at most " + MAX_DEPTH + " levels");
            }
            advance();
            List<SxpNode> items = new ArrayList<>();
            while (true) {
                skipSpace();
                if (pos >= text.length()) {
                    throw new ConfigParseException(file, l, c, "'(' is never closed", "(",
                            "a matching ')' before the end of the file");
                }
                if (peek() == ')') {
                    advance();
                    return new SxpNode.ListNode(items, l, c);
                }
                items.add(parseNode(depth + 1));
            }
        }
        if (ch == '\'' || ch == '"') {
            return new SxpNode.Atom(parseString(), l, c);
        }
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            skipWraps();
            if (pos >= text.length()) {
                break;
            }
            char a = peek();
            if (Character.isWhitespace(a) || SEPARATORS.indexOf(a) >= 0 || a == '\'' || a == '"') {
                break;
            }
            sb.append(a);
            advance();
        }
        if (sb.length() == 0) {
            throw error("unexpected character", String.valueOf(peek()), "'(', ')', an atom or a string");
        }
        return new SxpNode.Atom(sb.toString(), l, c);
    }

    private String parseString() {
        int l = line;
        int c = pos - lineStart + 1;
        char q = peek();
        advance();
        StringBuilder sb = new StringBuilder();
        while (true) {
            skipWraps();
            if (pos >= text.length()) {
                throw new ConfigParseException(file, l, c, "string is never closed", String.valueOf(q),
                        "a closing " + q);
            }
            char ch = peek();
            if (ch == q) {
                advance();
                return sb.toString();
            }
            if (ch == '\\') {
                advance();
                if (pos >= text.length()) {
                    continue;
                }
                char e = peek();
                advance();
                switch (e) {
                    case 'a' -> sb.append('\u0007');
                    case 'b' -> sb.append('\b');
                    case 't' -> sb.append('\t');
                    case 'n' -> sb.append('\n');
                    case 'v' -> sb.append('\u000b');
                    case 'f' -> sb.append('\f');
                    case 'r' -> sb.append('\r');
                    case '\\', '\'', '"' -> sb.append(e);
                    case 'x' -> {
                        int v = 0;
                        int n = 0;
                        while (n < 2 && pos < text.length() && Character.digit(peek(), 16) >= 0) {
                            v = v * 16 + Character.digit(peek(), 16);
                            advance();
                            n++;
                        }
                        sb.append((char) v);
                    }
                    default -> {
                        if (e >= '0' && e <= '7') {
                            int v = e - '0';
                            for (int n = 0; n < 2 && pos < text.length() && peek() >= '0' && peek() <= '7'; n++) {
                                v = v * 8 + (peek() - '0');
                                advance();
                            }
                            sb.append((char) v);
                        } else {
                            // sxp.py keeps the backslash of an unknown escape.
                            sb.append('\\').append(e);
                        }
                    }
                }
            } else {
                sb.append(ch);
                advance();
            }
        }
    }

    private void skipSpace() {
        while (pos < text.length()) {
            skipWraps();
            if (pos >= text.length()) {
                return;
            }
            char c = peek();
            if (Character.isWhitespace(c)) {
                advance();
            } else if (c == '#') {
                while (pos < text.length() && peek() != '\n') {
                    advance();
                }
            } else {
                return;
            }
        }
    }

    /** Drops backslash-newline pairs (and a final lone backslash). */
    private void skipWraps() {
        while (pos < text.length() && peek() == '\\') {
            int next = pos + 1;
            if (next < text.length() && text.charAt(next) == '\r') {
                next++;
            }
            if (next >= text.length() || text.charAt(next) == '\n') {
                wrapSeen = true;
                while (pos <= next && pos < text.length()) {
                    advance();
                }
            } else {
                return;
            }
        }
    }

    private char peek() {
        return text.charAt(pos);
    }

    private void advance() {
        if (text.charAt(pos) == '\n') {
            line++;
            lineStart = pos + 1;
        }
        pos++;
    }

    private ConfigParseException error(String problem, String offending, String expected) {
        return new ConfigParseException(file, line, pos - lineStart + 1, problem, offending, expected);
    }
}
