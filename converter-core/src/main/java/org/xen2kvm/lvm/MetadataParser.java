package org.xen2kvm.lvm;

import static org.xen2kvm.lvm.LvmConstants.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser of the LVM2 text metadata format ({@code lib/config/config.c}): at the top
 * level and inside {@code name { ... }} sections, entries {@code key = value} where a value is a
 * quoted string (with {@code \"} and {@code \\} escapes), a decimal integer or a bracketed list
 * of those; {@code #} starts a comment to the end of the line. Names, strings, lists and
 * nesting are bounded; anything else is refused with the line number.
 */
public final class MetadataParser {
    private final String source;
    private final String text;
    private int pos;
    private int line = 1;

    private MetadataParser(String source, String text) {
        this.source = source;
        this.text = text;
    }

    /**
     * Parses {@code text}; {@code source} names where it came from in messages.
     *
     * @throws LvmFormatException naming the source and line of the first syntax error or limit hit
     */
    public static MetadataValue.Section parse(String source, String text) throws LvmFormatException {
        if (text.length() > MAX_METADATA_BYTES) {
            throw new LvmFormatException(source + ": metadata text of " + text.length() + " characters exceeds the limit of "
                    + MAX_METADATA_BYTES);
        }
        MetadataParser p = new MetadataParser(source, text);
        return p.entries("", 1, 0, false);
    }

    private MetadataValue.Section entries(String name, int openLine, int depth, boolean braced) throws LvmFormatException {
        if (depth > MAX_DEPTH) {
            throw error("sections nested deeper than " + MAX_DEPTH);
        }
        Map<String, MetadataValue> map = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (pos >= text.length()) {
                if (braced) {
                    throw error("section '" + name + "' opened on line " + openLine + " is not closed");
                }
                return new MetadataValue.Section(name, openLine, map);
            }
            char c = text.charAt(pos);
            if (c == '}') {
                if (!braced) {
                    throw error("'}' without an open section");
                }
                pos++;
                return new MetadataValue.Section(name, openLine, map);
            }
            int keyLine = line;
            String key = name();
            skipSpace();
            MetadataValue v;
            if (peek() == '{') {
                pos++;
                v = entries(key, keyLine, depth + 1, true);
            } else if (peek() == '=') {
                pos++;
                skipSpace();
                v = value(true);
            } else {
                throw error("expected '=' or '{' after '" + key + "'");
            }
            if (map.put(key, v) != null) {
                throw error("'" + key + "' appears twice in section '" + name + "'");
            }
        }
    }

    private MetadataValue value(boolean listAllowed) throws LvmFormatException {
        char c = peek();
        if (c == '"') {
            return new MetadataValue.Str(string());
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return new MetadataValue.Int(integer());
        }
        if (c == '[' && listAllowed) {
            pos++;
            List<MetadataValue> items = new ArrayList<>();
            skipSpace();
            if (peek() == ']') {
                pos++;
                return new MetadataValue.ListValue(items);
            }
            while (true) {
                skipSpace();
                if (items.size() >= MAX_LIST_ITEMS) {
                    throw error("list longer than " + MAX_LIST_ITEMS + " items");
                }
                items.add(value(false));
                skipSpace();
                char d = peek();
                pos++;
                if (d == ']') {
                    return new MetadataValue.ListValue(items);
                }
                if (d != ',') {
                    throw error("expected ',' or ']' in a list");
                }
            }
        }
        throw error(c == 0 ? "value missing at the end of the text" : "unexpected '" + c + "' where a value belongs");
    }

    private String string() throws LvmFormatException {
        int startLine = line;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new LvmFormatException(source + ": line " + startLine + ": string is not closed");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\') {
                if (pos >= text.length()) {
                    throw error("string ends in a backslash");
                }
                c = text.charAt(pos++);
            }
            if (c == '\n') {
                line++;
            }
            if (sb.length() >= MAX_STRING) {
                throw new LvmFormatException(source + ": line " + startLine + ": string longer than " + MAX_STRING + " characters");
            }
            sb.append(c);
        }
    }

    private long integer() throws LvmFormatException {
        int s = pos;
        if (peek() == '-') {
            pos++;
        }
        while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) {
            pos++;
        }
        if (pos < text.length() && (text.charAt(pos) == '.' || Character.isLetter(text.charAt(pos)))) {
            throw error("'" + text.substring(s, Math.min(text.length(), pos + 1)) + "' is not a decimal integer");
        }
        String digits = text.substring(s, pos);
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("'" + digits + "' is not a 64-bit integer");
        }
    }

    private String name() throws LvmFormatException {
        int s = pos;
        while (pos < text.length() && isNameChar(text.charAt(pos))) {
            pos++;
            if (pos - s > MAX_NAME) {
                throw error("name longer than " + MAX_NAME + " characters");
            }
        }
        if (s == pos) {
            throw error("unexpected '" + text.charAt(pos) + "' where a name belongs");
        }
        return text.substring(s, pos);
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                || c == '+' || c == '-';
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
                pos++;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private LvmFormatException error(String what) {
        return new LvmFormatException(source + ": line " + line + ": " + what);
    }
}
