package org.xen2kvm.config.xl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.xen2kvm.config.ConfigParseException;

/**
 * Parses the assignment syntax shared by xl and xm files (fact sheet section 1): statements
 * ended by newline or {@code ;}, {@code #} comments (also inside lists), single, double and
 * triple-quoted strings with xl's escapes, decimal/octal/hex numbers, nested lists with
 * newlines and a trailing comma, {@code +=}. A repeated key keeps the last value (as xl and
 * Python do) and adds a warning. Anything Python-only (imports, calls, operators, {@code if})
 * is refused at the line where it starts, since reading it would mean running it.
 */
public final class XlParser {
    /** Lists nested deeper than this are refused (real configs use at most two levels). */
    private static final int MAX_LIST_DEPTH = 16;

    private static final Set<String> PYTHON_KEYWORDS = Set.of("import", "from", "def", "if", "elif",
            "else", "for", "while", "try", "except", "finally", "return", "print", "class", "with",
            "global", "del", "pass", "lambda", "assert", "raise", "exec", "not", "and", "or", "in");

    /** Decimal, octal (leading 0), hex, optionally signed; a Python float is accepted too. */
    private static final Pattern NUMBER = Pattern.compile(
            "[+-]?(0[xX][0-9a-fA-F]+|[0-9]+|[0-9]+\\.[0-9]+)");

    private static final String EXPECTED_STATEMENT = "KEY = VALUE";

    private final String file;
    private final String text;
    private final int[] lineStarts;
    private int pos;
    private boolean xlOnly;
    private boolean xmOnly;
    private final Map<String, XlSetting> settings = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();

    private XlParser(String file, String text) {
        this.file = file;
        this.text = text;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Parses a whole file.
     *
     * @param file name used in messages
     * @throws ConfigParseException at the first syntax error or Python construct
     */
    public static XlFile parse(String file, String text) {
        XlParser p = new XlParser(file, text);
        p.parseFile();
        return new XlFile(file, p.settings, p.warnings, p.xlOnly, p.xmOnly);
    }

    private void parseFile() {
        while (true) {
            skipBlanks();
            if (atEnd()) {
                return;
            }
            char c = peek();
            if (c == '#') {
                skipComment();
            } else if (c == '\n' || c == ';' || c == '\r') {
                pos++;
            } else {
                parseStatement();
            }
        }
    }

    private void parseStatement() {
        int keyPos = pos;
        char c = peek();
        if (!isKeyStart(c)) {
            throw error(keyPos, "unexpected character at the start of a statement", tokenAt(keyPos),
                    EXPECTED_STATEMENT);
        }
        while (!atEnd() && isKeyPart(peek())) {
            pos++;
        }
        String key = text.substring(keyPos, pos);
        skipBlanks();
        boolean append;
        if (peek() == '=') {
            append = false;
            pos++;
        } else if (peek() == '+' && peekAt(pos + 1) == '=') {
            append = true;
            xlOnly = true;
            pos += 2;
        } else {
            if (PYTHON_KEYWORDS.contains(key) || peek() == '(' || peek() == '.' && looksLikePython(keyPos)) {
                throw pythonError(keyPos);
            }
            String what = peek() == '-' || peek() == '.'
                    ? "character '" + peek() + "' is not allowed in a key name"
                    : "missing '=' after key '" + key + "'";
            throw error(pos, what, tokenAt(pos), "'=' (keys are letters, digits and '_')");
        }
        skipBlanks();
        XlValue value = parseValue(0);
        skipBlanks();
        if (!atEnd()) {
            char end = peek();
            if (end == '#') {
                skipComment();
            } else if (end == '\n' || end == ';' || end == '\r') {
                pos++;
            } else if (end == '%' || end == '+' || end == '*' || end == '(' || end == '.' || end == '-') {
                throw pythonError(keyPos);
            } else {
                throw error(pos, "unexpected text after the value of '" + key + "'", tokenAt(pos),
                        "end of line, ';' or '#'");
            }
        }
        store(key, value, append, keyPos);
    }

    private void store(String key, XlValue value, boolean append, int keyPos) {
        int line = lineOf(keyPos);
        int col = columnOf(keyPos);
        XlSetting previous = settings.get(key);
        if (append && previous != null) {
            value = concat(key, previous.value(), value);
            settings.put(key, new XlSetting(key, value, previous.line(), previous.column()));
            return;
        }
        if (previous != null) {
            warnings.add(file + ":" + line + ": key '" + key + "' is set again (first set on line "
                    + previous.line() + "); the last value wins, as in xl");
            settings.remove(key);
        }
        settings.put(key, new XlSetting(key, value, line, col));
    }

    private XlValue concat(String key, XlValue before, XlValue after) {
        if (before instanceof XlValue.Atom a && after instanceof XlValue.Atom b && a.quoted() && b.quoted()) {
            return new XlValue.Atom(a.text() + b.text(), true, a.raw() + " + " + b.raw(), a.line(), a.column());
        }
        if (before instanceof XlValue.ListValue a && after instanceof XlValue.ListValue b) {
            List<XlValue> items = new ArrayList<>(a.items());
            items.addAll(b.items());
            return new XlValue.ListValue(items, a.line(), a.column());
        }
        throw new ConfigParseException(file, after.line(), after.column(),
                "'+=' cannot append this value to '" + key + "'", describe(after),
                "a string after a string or a list after a list");
    }

    private XlValue parseValue(int depth) {
        int start = pos;
        if (atEnd()) {
            throw error(start, "missing value", "end of file", "a string, a number or a list");
        }
        char c = peek();
        if (c == '"' || c == '\'') {
            return parseString();
        }
        if (c == '[') {
            return parseList(depth);
        }
        if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
            pos++;
            while (!atEnd() && (Character.isLetterOrDigit(peek()) || peek() == '.' || peek() == '_')) {
                pos++;
            }
            String token = text.substring(start, pos);
            if (!NUMBER.matcher(token).matches()) {
                throw error(start, "malformed number", token, "a decimal, octal (0...) or hex (0x...) number");
            }
            return new XlValue.Atom(token, false, token, lineOf(start), columnOf(start));
        }
        if (c == '\n' || c == ';' || c == '#' || c == '\r') {
            throw error(start, "missing value", tokenAt(start), "a string, a number or a list");
        }
        if (isKeyStart(c) && looksLikePython(start)) {
            throw pythonError(lineStartOf(start));
        }
        throw error(start, "unquoted text as a value", tokenAt(start),
                "a quoted string, a number or a list");
    }

    private XlValue parseList(int depth) {
        int start = pos;
        if (depth >= MAX_LIST_DEPTH) {
            throw error(start, "lists nested too deeply", "[", "at most " + MAX_LIST_DEPTH + " levels");
        }
        pos++;
        List<XlValue> items = new ArrayList<>();
        while (true) {
            skipListSpace();
            if (atEnd()) {
                throw error(start, "list is not closed", "[", "']' before the end of the file");
            }
            if (peek() == ']') {
                pos++;
                return new XlValue.ListValue(items, lineOf(start), columnOf(start));
            }
            items.add(parseValue(depth + 1));
            skipListSpace();
            if (atEnd()) {
                throw error(start, "list is not closed", "[", "']' before the end of the file");
            }
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c != ']') {
                throw error(pos, "unexpected text in a list", tokenAt(pos), "',' or ']'");
            }
        }
    }

    private XlValue.Atom parseString() {
        int start = pos;
        char q = peek();
        boolean triple = peekAt(pos + 1) == q && peekAt(pos + 2) == q;
        if (triple) {
            xmOnly = true;
            pos += 3;
        } else {
            pos++;
        }
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (atEnd() || (!triple && peek() == '\n')) {
                throw error(start, "string is not closed", tokenAt(start),
                        "a closing " + (triple ? "" + q + q + q : String.valueOf(q)) + " on the same line");
            }
            char c = peek();
            if (c == q && (!triple || (peekAt(pos + 1) == q && peekAt(pos + 2) == q))) {
                pos += triple ? 3 : 1;
                String raw = text.substring(start, pos);
                return new XlValue.Atom(sb.toString(), true, raw, lineOf(start), columnOf(start));
            }
            if (c == '\\') {
                escape(sb);
            } else {
                sb.append(c);
                pos++;
            }
        }
    }

    /** xl's escapes [libxlu xlu__cfgl_dequote]; octal digits as Python reads them. */
    private void escape(StringBuilder sb) {
        int at = pos;
        pos++;
        if (atEnd()) {
            throw error(at, "backslash at the end of the file", "\\", "an escape such as \\n");
        }
        char e = peek();
        pos++;
        switch (e) {
            case '\\', '"', '\'' -> sb.append(e);
            case 'a' -> sb.append('\u0007');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'v' -> sb.append('\u000b');
            case 'x' -> {
                int v = hexDigit(peek()) * 16 + hexDigit(peekAt(pos + 1));
                if (hexDigit(peek()) < 0 || hexDigit(peekAt(pos + 1)) < 0) {
                    throw error(at, "bad \\x escape", text.substring(at, Math.min(text.length(), at + 4)),
                            "two hex digits after \\x");
                }
                sb.append((char) v);
                pos += 2;
            }
            default -> {
                if (e >= '0' && e <= '7') {
                    int v = e - '0';
                    for (int i = 0; i < 2 && peek() >= '0' && peek() <= '7'; i++) {
                        v = v * 8 + (peek() - '0');
                        pos++;
                    }
                    sb.append((char) v);
                } else {
                    // xl refuses an unknown escape; Python keeps the backslash. Keep it, say so.
                    sb.append('\\').append(e);
                    warnings.add(file + ":" + lineOf(at) + ": unknown escape '\\" + e
                            + "' kept as written (xl would refuse it)");
                }
            }
        }
    }

    private static int hexDigit(char c) {
        return Character.digit(c, 16);
    }

    /** Inside a list newlines and comments are just separators' surroundings. */
    private void skipListSpace() {
        while (!atEnd()) {
            char c = peek();
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                pos++;
            } else if (c == '#') {
                skipComment();
            } else {
                return;
            }
        }
    }

    private void skipBlanks() {
        while (!atEnd()) {
            char c = peek();
            if (c == ' ' || c == '\t' || c == '\f') {
                pos++;
            } else if (c == '\r' && peekAt(pos + 1) == '\n') {
                pos++;
            } else if (c == '\\' && (peekAt(pos + 1) == '\n'
                    || (peekAt(pos + 1) == '\r' && peekAt(pos + 2) == '\n'))) {
                throw error(pos, "backslash line continuation is not supported", "\\",
                        "the statement on one line, or a list split after ','");
            } else {
                return;
            }
        }
    }

    private void skipComment() {
        while (!atEnd() && peek() != '\n') {
            pos++;
        }
    }

    /** A line is Python when it starts with a keyword or calls, formats or does arithmetic. */
    private boolean looksLikePython(int at) {
        int ls = lineStartOf(at);
        int le = text.indexOf('\n', ls);
        String line = text.substring(ls, le < 0 ? text.length() : le).strip();
        String first = line.split("[^A-Za-z0-9_]", 2)[0];
        return PYTHON_KEYWORDS.contains(first) || line.matches("[A-Za-z_][A-Za-z0-9_.]*\\s*\\(.*")
                || line.matches("[^\"'#]*=\\s*[A-Za-z_][A-Za-z0-9_.]*\\s*(\\(|\\.|%|\\+|\\[).*");
    }

    private ConfigParseException pythonError(int at) {
        int ls = lineStartOf(at);
        int le = text.indexOf('\n', ls);
        String line = text.substring(ls, le < 0 ? text.length() : le).strip();
        int col = ls;
        while (col < text.length() && (text.charAt(col) == ' ' || text.charAt(col) == '\t')) {
            col++;
        }
        return new ConfigParseException(file, lineOf(ls), columnOf(col) ,
                "Python code is not supported (xm files were Python programs; xen2kvm reads only"
                        + " plain assignments)", line,
                "plain KEY = VALUE assignments: run the file with Python or rewrite the computed"
                        + " settings by hand");
    }

    private String tokenAt(int at) {
        int end = at;
        while (end < text.length() && end - at < 40 && !Character.isWhitespace(text.charAt(end))) {
            end++;
        }
        if (end == at) {
            return at < text.length() ? String.valueOf(text.charAt(at)) : "end of file";
        }
        return text.substring(at, end);
    }

    private static String describe(XlValue v) {
        if (v instanceof XlValue.Atom a) {
            return a.raw();
        }
        return "[ ... ]";
    }

    private ConfigParseException error(int at, String problem, String offending, String expected) {
        return new ConfigParseException(file, lineOf(at), columnOf(at), problem, offending, expected);
    }

    private int lineIndex(int at) {
        int lo = 0;
        int hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= at) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private int lineOf(int at) {
        return lineIndex(at) + 1;
    }

    private int columnOf(int at) {
        return at - lineStarts[lineIndex(at)] + 1;
    }

    private int lineStartOf(int at) {
        return lineStarts[lineIndex(at)];
    }

    private static boolean isKeyStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isKeyPart(char c) {
        return isKeyStart(c) || (c >= '0' && c <= '9') || c == '.';
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char peekAt(int i) {
        return i < text.length() ? text.charAt(i) : '\0';
    }
}
