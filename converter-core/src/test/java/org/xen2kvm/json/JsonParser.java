package org.xen2kvm.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict RFC 8259 parsing for the tests, on Jackson's streaming parser. Objects become
 * {@link LinkedHashMap} (key order kept), arrays {@link ArrayList}, numbers {@link Long} when
 * integral and in range, else {@link Double}. Duplicate keys, trailing commas, comments,
 * leading zeros and trailing garbage are errors (Jackson's defaults, plus duplicate
 * detection and the trailing-token check here).
 */
public final class JsonParser {
    /** Nesting limit so hostile input cannot exhaust the stack. */
    static final int MAX_DEPTH = 512;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    private JsonParser() {
    }

    /**
     * Parses one JSON document.
     *
     * @throws JsonParseException naming line and column of the first error
     */
    public static Object parse(String text) {
        try (com.fasterxml.jackson.core.JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new JsonParseException(1, 1, "unexpected end of input (expected a value)");
            }
            Object value = read(p);
            JsonToken extra = p.nextToken();
            if (extra != null) {
                JsonLocation at = p.currentTokenLocation();
                throw new JsonParseException(at.getLineNr(), at.getColumnNr(),
                        "unexpected text after the JSON value (expected end of input)");
            }
            return value;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new JsonParseException(at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(),
                    e.getOriginalMessage().replace('\n', ' '));
        } catch (IOException e) {
            throw new IllegalStateException("reading a String cannot fail", e);
        }
    }

    /** The value at the parser's current token. */
    private static Object read(com.fasterxml.jackson.core.JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    m.put(key, read(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getNumberType() == com.fasterxml.jackson.core.JsonParser.NumberType.BIG_INTEGER
                        ? (Object) p.getDoubleValue() : (Object) p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new JsonParseException(p.currentTokenLocation().getLineNr(),
                    p.currentTokenLocation().getColumnNr(), "unexpected token " + p.currentToken());
        }
    }
}
