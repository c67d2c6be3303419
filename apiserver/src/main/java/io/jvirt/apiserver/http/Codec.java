package io.jvirt.apiserver.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON and YAML encoding of API objects as Jackson trees. Thread-safe; all methods are pure.
 * Decoding errors become {@link ApiException} 400 BadRequest, never a 500.
 */
public final class Codec {
    /** Shared JSON mapper with duplicate-key detection (the apiserver rejects duplicate fields). */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    /** Shared YAML mapper (block style, no document marker). */
    public static final ObjectMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Codec() {}

    /** Parses one JSON document; 400 on any syntax error or trailing garbage. */
    public static JsonNode parseJson(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            JsonNode node = JSON.readTree(p);
            if (node == null || node.isMissingNode()) throw ApiException.badRequest("empty body");
            if (p.nextToken() != null) throw ApiException.badRequest("unexpected data after the JSON document");
            return node;
        } catch (IOException e) {
            throw ApiException.badRequest("error decoding JSON: " + firstLine(e.getMessage()));
        }
    }

    /** Parses one YAML (or JSON, a YAML subset) document; 400 on any error. */
    public static JsonNode parseYaml(byte[] body) {
        try {
            List<JsonNode> docs = new ArrayList<>();
            try (var parser = YAML.getFactory().createParser(body)) {
                var it = YAML.readValues(parser, JsonNode.class);
                while (it.hasNext()) docs.add(it.next());
            }
            docs.removeIf(d -> d == null || d.isNull() || d.isMissingNode());
            if (docs.size() != 1) throw ApiException.badRequest("expected exactly one YAML document, got " + docs.size());
            return docs.get(0);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) throw api;
            throw ApiException.badRequest("error decoding YAML: " + firstLine(e.getMessage()));
        }
    }

    /** Parses a body as an object, by content type (JSON unless the type says yaml). */
    public static ObjectNode parseObject(byte[] body, String contentType) {
        JsonNode node = contentType != null && contentType.contains("yaml") ? parseYaml(body) : parseJson(body);
        if (!node.isObject()) throw ApiException.badRequest("the body must be a JSON object");
        return (ObjectNode) node;
    }

    public static byte[] toJson(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed body";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
