package org.xen2kvm.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.Instantiatable;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Streaming JSON writer for reports and events, on Jackson's generator: objects, arrays,
 * strings, numbers, booleans and null, keys in the order they are written; pretty documents
 * indented by two spaces ({@code "key": value}, empty containers as {@code {}} and
 * {@code []}), or one line for JSON-lines streams. Control characters are escaped as
 * lower-case <code>&#92;u00xx</code>, and U+2028/U+2029 too, so the output is also safe inside
 * JavaScript. Misuse (a value where a key is due, an unbalanced end, a second top-level value)
 * throws {@link IllegalStateException}: that is a programming error, not bad data.
 */
public final class JsonWriter {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final StringWriter out = new StringWriter();
    private final JsonGenerator g;
    private boolean started;

    /** A pretty-printing writer (two-space indent), for documents people read. */
    public JsonWriter() {
        this(true);
    }

    private JsonWriter(boolean pretty) {
        try {
            g = FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        g.setCharacterEscapes(Escapes.INSTANCE);
        if (pretty) {
            g.setPrettyPrinter(new TwoSpaces());
        }
    }

    /** A writer of one-line JSON, for JSON-lines event streams. */
    public static JsonWriter compact() {
        return new JsonWriter(false);
    }

    public JsonWriter beginObject() {
        return write(() -> {
            beforeValue();
            g.writeStartObject();
        });
    }

    public JsonWriter endObject() {
        return write(g::writeEndObject);
    }

    public JsonWriter beginArray() {
        return write(() -> {
            beforeValue();
            g.writeStartArray();
        });
    }

    public JsonWriter endArray() {
        return write(g::writeEndArray);
    }

    /** Writes an object key; the next call must write its value. */
    public JsonWriter name(String key) {
        return write(() -> g.writeFieldName(key));
    }

    public JsonWriter value(String s) {
        return s == null ? nullValue() : write(() -> {
            beforeValue();
            g.writeString(s);
        });
    }

    public JsonWriter value(Number n) {
        if (n == null) {
            return nullValue();
        }
        if ((n instanceof Double d && (d.isNaN() || d.isInfinite()))
                || (n instanceof Float f && (f.isNaN() || f.isInfinite()))) {
            throw new IllegalArgumentException("JSON has no representation for " + n);
        }
        return write(() -> {
            beforeValue();
            if (n instanceof Double d) {
                g.writeNumber(d);
            } else if (n instanceof Float f) {
                g.writeNumber(f);
            } else if (n instanceof BigDecimal b) {
                g.writeNumber(b);
            } else if (n instanceof BigInteger b) {
                g.writeNumber(b);
            } else {
                g.writeNumber(n.longValue());
            }
        });
    }

    public JsonWriter value(long n) {
        return write(() -> {
            beforeValue();
            g.writeNumber(n);
        });
    }

    public JsonWriter value(Boolean b) {
        return b == null ? nullValue() : write(() -> {
            beforeValue();
            g.writeBoolean(b);
        });
    }

    public JsonWriter nullValue() {
        return write(() -> {
            beforeValue();
            g.writeNull();
        });
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
        try {
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Convenience: the pretty JSON text of a tree (see {@link #tree(Object)}). */
    public static String write(Object tree) {
        return new JsonWriter().tree(tree).toString();
    }

    /** Jackson would start a second root value; a document here has exactly one. */
    private void beforeValue() {
        if (g.getOutputContext().inRoot()) {
            if (started) {
                throw new IllegalStateException("only one top-level value is allowed");
            }
            started = true;
        }
    }

    private interface Write {
        void run() throws IOException;
    }

    private JsonWriter write(Write w) {
        try {
            w.run();
        } catch (IllegalStateException e) {
            throw e;
        } catch (IOException e) {
            // Jackson's JsonGenerationException: a key where a value is due, an unbalanced end.
            throw new IllegalStateException(e.getMessage(), e);
        }
        return this;
    }

    /**
     * The printer of the pretty documents, for Jackson mappers that write documents of the same
     * look (plan status and reports). A new instance per document: it keeps the depth.
     */
    public static PrettyPrinter printer() {
        return new TwoSpaces();
    }

    /** Two-space indentation, {@code ": "} after keys, nothing inside empty containers. */
    private static final class TwoSpaces implements PrettyPrinter, Instantiatable<TwoSpaces> {
        private int depth;

        @Override
        public TwoSpaces createInstance() {
            return new TwoSpaces();
        }

        @Override
        public void writeRootValueSeparator(JsonGenerator gen) {
        }

        @Override
        public void writeStartObject(JsonGenerator gen) throws IOException {
            gen.writeRaw('{');
            depth++;
        }

        @Override
        public void writeEndObject(JsonGenerator gen, int entries) throws IOException {
            depth--;
            if (entries > 0) {
                newline(gen);
            }
            gen.writeRaw('}');
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw(',');
            newline(gen);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw(": ");
        }

        @Override
        public void writeStartArray(JsonGenerator gen) throws IOException {
            gen.writeRaw('[');
            depth++;
        }

        @Override
        public void writeEndArray(JsonGenerator gen, int values) throws IOException {
            depth--;
            if (values > 0) {
                newline(gen);
            }
            gen.writeRaw(']');
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw(',');
            newline(gen);
        }

        @Override
        public void beforeArrayValues(JsonGenerator gen) throws IOException {
            newline(gen);
        }

        @Override
        public void beforeObjectEntries(JsonGenerator gen) throws IOException {
            newline(gen);
        }

        private void newline(JsonGenerator gen) throws IOException {
            gen.writeRaw('\n');
            for (int i = 0; i < depth; i++) {
                gen.writeRaw("  ");
            }
        }
    }

    /**
     * Control characters as lower-case <code>&#92;u00xx</code> (RFC 8259 section 7; the short forms
     * where JSON has one), and the JavaScript line terminators U+2028/U+2029.
     */
    private static final class Escapes extends CharacterEscapes {
        static final Escapes INSTANCE = new Escapes();
        private final int[] ascii = standardAsciiEscapesForJSON();

        Escapes() {
            for (int c = 0; c < 0x20; c++) {
                if (c != '\n' && c != '\r' && c != '\t' && c != '\b' && c != '\f') {
                    ascii[c] = ESCAPE_CUSTOM;
                }
            }
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
                return new SerializedString(String.format("\\u%04x", ch));
            }
            return null;
        }
    }
}
