package org.meshchain.node.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * JSON in and out of the API. Parsing is strict (DESIGN 9): duplicate keys, trailing content,
 * unknown fields, non-integral or out-of-range numbers and wrong types are refused with the field's
 * path in the detail; nesting depth and string lengths are bounded.
 */
final class StrictJson {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxNumberLength(40).maxStringLength(2 * 1024 * 1024).build());
    }

    private StrictJson() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serializes", e);
        }
    }

    /** Parses a request body that must be one JSON object. */
    static Obj parseObject(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw ApiError.badRequest("malformed_json", "body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw ApiError.badRequest("malformed_json", "body must be a JSON object");
        }
        return new Obj((ObjectNode) node, "");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return Params.truncate(nl < 0 ? message : message.substring(0, nl));
    }

    /** A JSON object being read field by field, with its path for error messages. */
    static final class Obj {
        private final ObjectNode node;
        private final String path;

        Obj(ObjectNode node, String path) {
            this.node = node;
            this.path = path;
        }

        String path(String field) {
            return path.isEmpty() ? field : path + "." + field;
        }

        /** Refuses fields other than {@code allowed}. */
        Obj only(Set<String> allowed) {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!allowed.contains(name)) {
                    throw invalid(path(name), "unknown field (expected " + String.join(", ", allowed.stream().sorted().toList()) + ")");
                }
            }
            return this;
        }

        boolean has(String field) {
            return node.has(field);
        }

        JsonNode required(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                throw invalid(path(field), "is required");
            }
            return value;
        }

        String string(String field) {
            JsonNode value = required(field);
            if (!value.isTextual()) {
                throw invalid(path(field), "must be a string");
            }
            return value.textValue();
        }

        /** A non-negative integer up to 2^63-1, as a JSON number (not a string, not a fraction). */
        long u63(String field) {
            JsonNode value = required(field);
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
                throw invalid(path(field), "must be an integer 0..9223372036854775807");
            }
            return value.longValue();
        }

        /** A non-negative integer up to 2^31-1. */
        int u31(String field) {
            JsonNode value = required(field);
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
                throw invalid(path(field), "must be an integer 0..2147483647");
            }
            return value.intValue();
        }

        byte[] hex(String field, int minBytes, int maxBytes) {
            String text = string(field);
            try {
                return Params.hex(path(field), text, minBytes, maxBytes);
            } catch (ApiError e) {
                throw invalid(path(field), e.detail().replaceFirst("^\\S+ ", ""));
            }
        }

        Obj object(String field) {
            JsonNode value = required(field);
            if (!value.isObject()) {
                throw invalid(path(field), "must be an object");
            }
            return new Obj((ObjectNode) value, path(field));
        }

        /** An array of at most {@code max} elements. */
        List<JsonNode> array(String field, int max) {
            JsonNode value = required(field);
            if (!value.isArray()) {
                throw invalid(path(field), "must be an array");
            }
            if (value.size() > max) {
                throw invalid(path(field), "has " + value.size() + " elements, at most " + max + " allowed");
            }
            List<JsonNode> items = new ArrayList<>(value.size());
            value.forEach(items::add);
            return items;
        }

        static Obj element(JsonNode element, String path) {
            if (!element.isObject()) {
                throw invalid(path, "must be an object");
            }
            return new Obj((ObjectNode) element, path);
        }

        static ApiError invalid(String path, String rule) {
            return ApiError.badRequest("invalid_field", path + " " + rule);
        }
    }
}
