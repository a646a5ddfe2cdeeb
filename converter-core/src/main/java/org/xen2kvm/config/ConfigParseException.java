package org.xen2kvm.config;

import org.xen2kvm.Xen2KvmException;

/**
 * A guest definition that cannot be read. The message is one line:
 * {@code FILE:LINE:COL: <what is wrong> at '<offending text>' (expected <what>)}.
 * Line and column count from 1; errors about the whole file use line 1, column 1.
 */
public class ConfigParseException extends Xen2KvmException {
    private static final long serialVersionUID = 1L;

    /** Offending text longer than this is cut, so a message stays one readable line. */
    private static final int MAX_SHOWN = 60;

    private final String file;
    private final int line;
    private final int column;

    public ConfigParseException(String file, int line, int column, String problem, String offending,
                                String expected) {
        super(format(file, line, column, problem, offending, expected));
        this.file = file;
        this.line = line;
        this.column = column;
    }

    public ConfigParseException(String file, int line, int column, String problem, String offending,
                                String expected, Throwable cause) {
        super(format(file, line, column, problem, offending, expected), cause);
        this.file = file;
        this.line = line;
        this.column = column;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    private static String format(String file, int line, int column, String problem, String offending,
                                 String expected) {
        return file + ":" + line + ":" + column + ": " + oneLine(problem) + " at '" + shown(offending)
                + "' (expected " + oneLine(expected) + ")";
    }

    /** Makes guest text printable on one line: control characters escaped, long text cut. */
    static String shown(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length() && sb.length() < MAX_SHOWN; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= MAX_SHOWN && text.length() > MAX_SHOWN) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
