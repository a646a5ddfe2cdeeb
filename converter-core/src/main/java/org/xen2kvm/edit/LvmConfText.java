package org.xen2kvm.edit;

import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.guest.TextFiles;

/**
 * Finds settings in LVM configuration text (lvm.conf(5): sections {@code name { ... }},
 * {@code key = value} with a number, a {@code "string"} or an {@code [ array ]}, {@code #}
 * comments) and where their string values sit in the text, so an edit can change just those
 * bytes and keep the rest of the file (comments, layout) as the user wrote it.
 */
final class LvmConfText {

    /** Sections deeper than this are not configuration LVM writes; a hostile file could nest without end. */
    static final int MAX_DEPTH = 32;

    /** A string value: its quoted text spans {@code [start, end)}; {@code value} is unescaped. */
    record Element(int start, int end, String value) {
    }

    /**
     * One setting whose value is a string or an array of strings.
     *
     * @param keyStart offset of the key
     * @param isArray  whether the value is an array (else it is the single element)
     */
    record Setting(String key, int keyStart, boolean isArray, List<Element> elements) {
    }

    private final String source;
    private final String text;
    private int pos;

    private LvmConfText(String source, String text) {
        this.source = source;
        this.text = text;
    }

    /**
     * The settings {@code keys} of section {@code section} (also written flat at the top level
     * as {@code section/key}), in file order.
     *
     * @throws LvmConfException when the text is not in LVM's syntax or such a setting is not a
     *                          string or an array of strings
     */
    static List<Setting> find(String source, String text, String section, List<String> keys) {
        return new LvmConfText(source, text).scan(section, keys);
    }

    private List<Setting> scan(String section, List<String> keys) {
        List<Setting> found = new ArrayList<>();
        List<String> sections = new ArrayList<>();
        while (true) {
            skipBlanks();
            if (pos >= text.length()) {
                break;
            }
            char c = text.charAt(pos);
            if (c == '}') {
                if (sections.isEmpty()) {
                    throw error(pos, "'}' closes no section");
                }
                sections.remove(sections.size() - 1);
                pos++;
                continue;
            }
            int keyStart = pos;
            String key = word();
            skipBlanks();
            if (pos < text.length() && text.charAt(pos) == '{') {
                if (sections.size() >= MAX_DEPTH) {
                    throw error(pos, "sections nested deeper than " + MAX_DEPTH);
                }
                sections.add(key);
                pos++;
                continue;
            }
            if (pos >= text.length() || text.charAt(pos) != '=') {
                throw error(pos, "expected '=' or '{' after " + TextFiles.excerpt(key));
            }
            pos++;
            boolean wanted = sections.size() == 1 && sections.get(0).equals(section) && keys.contains(key)
                    || sections.isEmpty() && keys.stream().anyMatch(k -> key.equals(section + "/" + k));
            Setting s = value(key, keyStart, wanted);
            if (wanted) {
                found.add(s);
            }
        }
        if (!sections.isEmpty()) {
            throw error(text.length(), "section " + TextFiles.excerpt(sections.get(sections.size() - 1)) + " is not closed");
        }
        return found;
    }

    /** Reads a value; when {@code strict}, it must be a string or an array of strings. */
    private Setting value(String key, int keyStart, boolean strict) {
        skipBlanks();
        if (pos >= text.length()) {
            throw error(pos, TextFiles.excerpt(key) + " has no value");
        }
        List<Element> elements = new ArrayList<>();
        char c = text.charAt(pos);
        if (c == '"') {
            elements.add(string());
            return new Setting(key, keyStart, false, elements);
        }
        if (c != '[') {
            String w = word();
            if (strict) {
                throw error(pos, TextFiles.excerpt(key) + " is " + TextFiles.excerpt(w) + ", not a string or an array of strings");
            }
            return new Setting(key, keyStart, false, elements);
        }
        int open = pos++;
        while (true) {
            skipBlanks();
            if (pos >= text.length()) {
                throw error(open, TextFiles.excerpt(key) + ": array is not closed");
            }
            c = text.charAt(pos);
            if (c == ']') {
                pos++;
                return new Setting(key, keyStart, true, elements);
            }
            if ("{}[=".indexOf(c) >= 0) {
                throw error(open, TextFiles.excerpt(key) + ": array is not closed");
            }
            if (c == ',') {
                pos++;
            } else if (c == '"') {
                elements.add(string());
            } else {
                int at = pos;
                String w = word();
                if (strict) {
                    throw error(at, TextFiles.excerpt(key) + " holds " + TextFiles.excerpt(w) + ", not a string");
                }
            }
        }
    }

    private Element string() {
        int start = pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return new Element(start, pos, sb.toString());
            }
            if (c == '\\' && pos < text.length()) {
                c = text.charAt(pos++);
            } else if (c == '\n') {
                break;
            }
            sb.append(c);
        }
        throw error(start, "string is not closed on its line");
    }

    /** A key, section name or number: everything up to a blank or punctuation. */
    private String word() {
        int start = pos;
        while (pos < text.length() && "{}[]=,\"#".indexOf(text.charAt(pos)) < 0 && !Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error(pos, "unexpected " + TextFiles.excerpt(String.valueOf(text.charAt(pos))));
        }
        return text.substring(start, pos);
    }

    private void skipBlanks() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else {
                return;
            }
        }
    }

    private LvmConfException error(int offset, String what) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return new LvmConfException(source + " line " + line + ": " + what);
    }
}
