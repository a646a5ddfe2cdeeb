package org.xen2kvm;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.Instantiatable;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collection;

/**
 * How xen2kvm writes JSON, as Jackson configuration: documents people read ({@code inspect
 * --json}, {@code convert --json}, plan status and state) indented by two spaces with
 * {@code "key": value} and empty containers as {@code {}} and {@code []}; JSON-lines events on
 * one line. Keys keep the order they were put in. Control characters are escaped as lower-case
 * <code>&#92;u00xx</code> (the short forms where JSON has one), and U+2028/U+2029 too, so the
 * output is also safe inside JavaScript. NaN and infinities have no JSON form and are refused
 * with {@link IllegalArgumentException} rather than written as strings.
 *
 * <p>Build a document as a tree ({@link #object()}, {@link #array()}) or as records Jackson
 * binds, and write it with {@link #pretty()} or {@link #compact()}.
 */
public final class JsonStyle {
    private static final ObjectMapper MAPPER = JsonMapper.builder(new JsonFactoryBuilder()
                    .characterEscapes(new Escapes())
                    .addDecorator((factory, g) -> new FiniteNumbers(g))
                    .build())
            .defaultPrettyPrinter(new TwoSpaces())
            .enable(SerializationFeature.INDENT_OUTPUT)
            // State written by a newer xen2kvm may carry keys this one does not know.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final ObjectWriter PRETTY = MAPPER.writer();
    private static final ObjectWriter COMPACT = MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

    private JsonStyle() {
    }

    /** The shared mapper: reads JSON (state files) and writes pretty documents. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The writer of documents people read: two-space indent. */
    public static ObjectWriter pretty() {
        return PRETTY;
    }

    /** The writer of one-line JSON, for JSON-lines event streams. */
    public static ObjectWriter compact() {
        return COMPACT;
    }

    /** {@code value} (a tree, a Map/List tree or a record) as a pretty document, without a final newline. */
    public static String pretty(Object value) {
        return write(PRETTY, value);
    }

    /** {@code value} as one line of JSON, without a final newline. */
    public static String compact(Object value) {
        return write(COMPACT, value);
    }

    /** An empty object; its keys keep the order they are put in. */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** An empty array. */
    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /** An array of the strings, null elements as JSON null. */
    public static ArrayNode strings(Collection<String> items) {
        ArrayNode a = array();
        items.forEach(a::add);
        return a;
    }

    private static String write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // Not bad data: a value of a type Jackson cannot write is a programming error.
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Refuses NaN and infinities, which Jackson would otherwise write as the strings "NaN" and "Infinity". */
    private static final class FiniteNumbers extends JsonGeneratorDelegate {
        FiniteNumbers(JsonGenerator g) {
            super(g, false);
        }

        @Override
        public void writeNumber(double v) throws IOException {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("JSON has no representation for " + v);
            }
            super.writeNumber(v);
        }

        @Override
        public void writeNumber(float v) throws IOException {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("JSON has no representation for " + v);
            }
            super.writeNumber(v);
        }
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
            open(gen, '{');
        }

        @Override
        public void writeEndObject(JsonGenerator gen, int entries) throws IOException {
            close(gen, entries, '}');
        }

        @Override
        public void writeStartArray(JsonGenerator gen) throws IOException {
            open(gen, '[');
        }

        @Override
        public void writeEndArray(JsonGenerator gen, int values) throws IOException {
            close(gen, values, ']');
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw(',');
            newline(gen);
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator gen) throws IOException {
            writeObjectEntrySeparator(gen);
        }

        @Override
        public void beforeObjectEntries(JsonGenerator gen) throws IOException {
            newline(gen);
        }

        @Override
        public void beforeArrayValues(JsonGenerator gen) throws IOException {
            newline(gen);
        }

        private void open(JsonGenerator gen, char bracket) throws IOException {
            gen.writeRaw(bracket);
            depth++;
        }

        /** An empty container closes on the same line: {@code {}}, {@code []}. */
        private void close(JsonGenerator gen, int members, char bracket) throws IOException {
            depth--;
            if (members > 0) {
                newline(gen);
            }
            gen.writeRaw(bracket);
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
        private static final long serialVersionUID = 1L;
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
