package org.xen2kvm.json;

import org.xen2kvm.Xen2KvmException;

/** Malformed JSON text; the message names the line, column and what was expected. */
public class JsonParseException extends Xen2KvmException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    public JsonParseException(int line, int column, String message) {
        super(line + ":" + column + ": " + message);
        this.line = line;
        this.column = column;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
