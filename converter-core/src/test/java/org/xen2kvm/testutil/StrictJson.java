package org.xen2kvm.testutil;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Reads back what xen2kvm prints, strictly: one RFC 8259 document, no duplicate keys, nothing
 * after it (Jackson already refuses comments, trailing commas and leading zeros). Objects
 * become {@code LinkedHashMap} (key order kept), arrays {@code List}, integers {@code Long}
 * (BigInteger beyond), other numbers {@code Double}.
 */
public final class StrictJson {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .build();

    private StrictJson() {
    }

    /** The document as Map/List/String/Long/Double/Boolean/null; malformed text fails naming line and column. */
    public static Object parse(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document, which must be an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(String text) {
        Object o = parse(text);
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException("not a JSON object: " + text);
        }
        return (Map<String, Object>) o;
    }
}
