package org.xen2kvm.json;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Streaming pretty-printer for JSON: objects, arrays, strings, numbers, booleans and null,
 * indented by two spaces, keys in the order they are written. Misuse (a value where a key
 * is due, an unbalanced end) throws {@link IllegalStateException}: that is a programming
 * error, not bad data.
 */
public final class JsonWriter {
    private static final String INDENT = "  ";

    private enum Scope { OBJECT, ARRAY }

    private final StringBuilder out = new StringBuilder();
    private final Deque<Scope> scopes = new ArrayDeque<>();
    private final Deque<Boolean> empty = new ArrayDeque<>();
    private final boolean pretty;
    private boolean keyPending;
    private boolean done;

    /** A pretty-printing writer (two-space indent), for documents people read. */
    public JsonWriter() {
        this(true);
    }

    private JsonWriter(boolean pretty) {
        this.pretty = pretty;
    }

    /** A writer of one-line JSON, for JSON-lines event streams. */
    public static JsonWriter compact() {
        return new JsonWriter(false);
    }

    public JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        scopes.push(Scope.OBJECT);
        empty.push(true);
        return this;
    }

    public JsonWriter endObject() {
        return end(Scope.OBJECT, '}');
    }

    public JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        scopes.push(Scope.ARRAY);
        empty.push(true);
        return this;
    }

    public JsonWriter endArray() {
        return end(Scope.ARRAY, ']');
    }

    /** Writes an object key; the next call must write its value. */
    public JsonWriter name(String key) {
        if (scopes.peek() != Scope.OBJECT || keyPending) {
            throw new IllegalStateException("a key is only allowed directly inside an object");
        }
        separate();
        quote(key);
        out.append(pretty ? ": " : ":");
        keyPending = true;
        return this;
    }

    public JsonWriter value(String s) {
        if (s == null) {
            return nullValue();
        }
        beforeValue();
        quote(s);
        return this;
    }

    public JsonWriter value(Number n) {
        if (n == null) {
            return nullValue();
        }
        if ((n instanceof Double d && (d.isNaN() || d.isInfinite()))
                || (n instanceof Float f && (f.isNaN() || f.isInfinite()))) {
            throw new IllegalArgumentException("JSON has no representation for " + n);
        }
        beforeValue();
        out.append(n);
        return this;
    }

    public JsonWriter value(long n) {
        beforeValue();
        out.append(n);
        return this;
    }

    public JsonWriter value(Boolean b) {
        if (b == null) {
            return nullValue();
        }
        beforeValue();
        out.append(b.booleanValue());
        return this;
    }

    public JsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    /** Writes a tree of Map (string keys), List, String, Number, Boolean and null. */
    public JsonWriter tree(Object o) {
        if (o == null) {
            return nullValue();
        } else if (o instanceof String s) {
            return value(s);
        } else if (o instanceof Number n) {
            return value(n);
        } else if (o instanceof Boolean b) {
            return value(b);
        } else if (o instanceof Map<?, ?> m) {
            beginObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                name(String.valueOf(e.getKey()));
                tree(e.getValue());
            }
            return endObject();
        } else if (o instanceof List<?> l) {
            beginArray();
            for (Object e : l) {
                tree(e);
            }
            return endArray();
        }
        throw new IllegalArgumentException("cannot write " + o.getClass().getName() + " as JSON");
    }

    /** The document written so far; complete once every object and array is ended. */
    @Override
    public String toString() {
        return out.toString();
    }

    /** Convenience: the pretty JSON text of a tree (see {@link #tree(Object)}). */
    public static String write(Object tree) {
        return new JsonWriter().tree(tree).toString();
    }

    private JsonWriter end(Scope scope, char close) {
        if (scopes.peek() != scope || keyPending) {
            throw new IllegalStateException("unbalanced end of " + scope.name().toLowerCase());
        }
        scopes.pop();
        boolean wasEmpty = empty.pop();
        if (!wasEmpty) {
            newline();
        }
        out.append(close);
        if (scopes.isEmpty()) {
            done = true;
        }
        return this;
    }

    private void beforeValue() {
        if (done) {
            throw new IllegalStateException("the JSON document is already complete");
        }
        if (scopes.isEmpty()) {
            if (out.length() > 0) {
                throw new IllegalStateException("only one top-level value is allowed");
            }
            return;
        }
        if (scopes.peek() == Scope.OBJECT) {
            if (!keyPending) {
                throw new IllegalStateException("an object value needs a key first");
            }
            keyPending = false;
        } else {
            separate();
        }
    }

    private void separate() {
        if (!empty.peek()) {
            out.append(',');
        }
        empty.pop();
        empty.push(false);
        newline();
    }

    private void newline() {
        if (!pretty) {
            return;
        }
        out.append('\n');
        for (int i = 0; i < scopes.size(); i++) {
            out.append(INDENT);
        }
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // Control characters must be escaped (RFC 8259 section 7); U+2028/2029 too,
                    // so the output is also safe to embed in JavaScript.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
